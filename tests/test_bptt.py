"""BPTT training of Orhan & Ma's networks: it learns (several seeds, with a margin), it is
seeded end to end, an interrupted training resumes to the same weights, a vmapped grid trains
each network as alone, and the command writes what it promises."""

import shutil

import jax.numpy as jnp
import numpy as np
import pytest

from figures import orhan_ma as orhan_ma_figures
from figures import regenerate
from networks import orhan_ma_twin as twin
from networks.orhan_ma import initial_parameters
from protocols import orhan_ma as command
from protocols.learning import orhan_ma
from protocols.learning.bptt import GridTraining, Training, loss_function
from protocols.running.results import read_json, read_records
from protocols.tasks.orhan_ma import TASKS

SMALL = Training(updates=60, hidden=30, report_every=20)
TINY = ["--hidden", "20", "--report-every", "10", "--test-trials", "20", "--si-trials", "10", "--quiet"]
"""Command options of a tiny network, for the tests of the conditions."""


def cells(*seeds, lambda0=0.9, sigma0=0.2):
    return [dict(lambda0=lambda0, sigma0=sigma0, seed=s) for s in seeds]


def test_the_loss_is_the_papers():
    task = TASKS["comp"]()
    training = Training(hidden=20, rho=0.01)
    rng = np.random.default_rng(0)
    params = {k: jnp.asarray(v) for k, v in initial_parameters(50, 1, 1, 0.9, 0.2, 20).items()}
    trials = task.draw(rng, 8)
    targets = np.nan_to_num(trials.targets)
    value, _ = loss_function(task, training)(params, jnp.asarray(trials.inputs), jnp.asarray(targets))
    hidden, y = (np.asarray(a, dtype=float) for a in twin.run(params, jnp.asarray(trials.inputs), sigmoid=True))
    p = np.clip(y[:, -25:], 1e-6, 1 - 1e-6)
    s = targets[:, -25:]
    expected = -np.mean(s * np.log(p) + (1 - s) * np.log(1 - p)) + 1e-4 * np.mean(hidden[:, -5:] ** 2)
    expected += 0.01 * sum(np.sum(np.asarray(v, dtype=float) ** 2) for v in params.values())
    assert float(value) == pytest.approx(expected, rel=1e-5)


def test_training_is_seeded_and_resumes_to_the_same_weights(tmp_path):
    task = TASKS["2afc"]()
    first = GridTraining(task, cells(1), SMALL).run(progress=False)[0]
    again = GridTraining(task, cells(1), SMALL).run(progress=False)[0]
    for name in first["params"]:
        np.testing.assert_array_equal(first["params"][name], again["params"][name])
    # interrupted while update 50 computes (the next batch is drawn meanwhile: the draw fails),
    # then resumed from the checkpoint at 40 to the 60
    checkpoint = tmp_path / "net.npz"
    interrupted, draw, calls = TASKS["2afc"](), task.draw, []

    def fails_on_the_51st(*arguments):
        calls.append(1)
        if len(calls) == 51:
            raise KeyboardInterrupt
        return draw(*arguments)

    interrupted.draw = fails_on_the_51st
    with pytest.raises(KeyboardInterrupt):
        GridTraining(interrupted, cells(1), SMALL, checkpoint).run(progress=False)
    resumed = GridTraining(task, cells(1), SMALL, checkpoint)
    assert resumed.done == 40
    result = resumed.run(progress=False)[0]
    for name in first["params"]:
        np.testing.assert_array_equal(result["params"][name], first["params"][name])
    assert [row["update"] for row in result["curve"]] == [20, 40, 60]
    # a finished training goes on to more updates as one that ran them at once
    longer = Training(**{**SMALL.__dict__, "updates": 80})
    whole = GridTraining(task, cells(1), longer).run(progress=False)[0]
    continued = GridTraining(task, cells(1), longer, checkpoint).run(progress=False)[0]
    for name in whole["params"]:
        np.testing.assert_array_equal(continued["params"][name], whole["params"][name])
    with pytest.raises(ValueError, match="belongs to another training"):
        GridTraining(task, cells(2), SMALL, checkpoint)


def test_a_vmapped_grid_trains_each_network_as_alone():
    """Equal up to float rounding, which batching changes and training amplifies (after 60
    updates differences of 1e-3 appear in the networks with sigma0 > 0): compared at 20, within
    1e-3 (on an AVX2 CPU the differences reach 1.5e-4 by then)."""
    task = TASKS["2afc"]()
    training = Training(updates=20, hidden=30, report_every=10)
    grid_cells = cells(1, 2) + cells(1, sigma0=0.0)
    grid = GridTraining(task, grid_cells, training).run(progress=False)
    for cell, trained in zip(grid_cells, grid):
        alone = GridTraining(task, [cell], training).run(progress=False)[0]
        for name in alone["params"]:
            np.testing.assert_allclose(trained["params"][name], alone["params"][name], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_2afc_is_learned_and_the_annarchy_network_answers_as_the_twin(seed):
    task = TASKS["2afc"]()
    training = Training(updates=400, hidden=50, report_every=100)
    trained = GridTraining(task, cells(seed), training).run(progress=False)[0]
    config = {"training": training.__dict__, "test_trials": 300, "si_trials": 100}
    summary, arrays = orhan_ma.evaluate(config, task, trained["params"], seed)
    assert summary["fractional_loss"] < 0.2 and summary["accuracy"] > 0.95  # chance: 1.0 and 0.5
    assert trained["curve"][0]["fractional_loss"] > summary["fractional_loss"] + 0.2  # it learned
    _, outputs = twin.run({k: jnp.asarray(v) for k, v in trained["params"].items()},
                          jnp.asarray(arrays["inputs"]), sigmoid=True)
    np.testing.assert_allclose(arrays["outputs"], np.asarray(outputs), rtol=1e-4, atol=1e-5)
    assert np.isfinite(summary["si"]) and summary["si"] == pytest.approx(summary["entropy"] + summary["ridge_to_background"])


def test_the_command_trains_a_grid_and_writes_each_network(tmp_path, capsys):
    out = tmp_path / "grid"
    args = ["--task", "2afc", "cd", "--lambda0", "0.8,0.98", "--sigma0", "0.1", "--seeds", "1",
            "--hidden", "20", "--updates", "30", "--report-every", "10", "--test-trials", "40",
            "--si-trials", "20", "--out", str(out), "--quiet"]
    assert command.main(args) == 0
    rows = read_records(out / "summary.csv")
    assert list(rows["task"]) == ["2afc", "2afc", "cd", "cd"] and list(rows["lambda0"]) == [0.8, 0.98, 0.8, 0.98]
    needed = {"task", "lambda0", "sigma0", "seed", "updates", "fractional_loss", "included", "si",
              "entropy", "ridge_to_background"}
    assert needed <= set(rows)
    folder = out / "cd-lambda0.980-sigma0.100-seed-001"
    activity = np.load(folder / "activity.npz")
    assert activity["activity"].shape == (20, 150, 20) and activity["si"].shape == (20,)
    assert len(read_records(folder / "curve.csv")["update"]) == 3
    assert not (out / "checkpoints").exists()
    assert len(regenerate.regenerate(out)) == 6  # si_grid, si_per_task, activity: PNG and SVG
    # one network per worker gives the same networks (the same seeds, trained alone)
    alone = tmp_path / "alone"
    assert command.main(args[:-3] + ["--jobs", "2", "--out", str(alone), "--quiet"]) == 0
    np.testing.assert_allclose(read_records(alone / "summary.csv")["fractional_loss"], rows["fractional_loss"],
                               rtol=5e-2, atol=1e-3)  # float rounding, amplified by training, differs by CPU (AVX2: 2.4 %)
    # the seed-paired comparison of two runs: the figure and the table
    figure_folder = tmp_path / "compare"
    orhan_ma_figures.main(["--compare", str(out), str(alone), "--out", str(figure_folder)])
    assert (figure_folder / "conditions.png").is_file() and (figure_folder / "conditions.svg").is_file()
    orhan_ma_figures.main([str(out), "--out", str(figure_folder), "--factor", "task", "2afc", "cd"])
    printed = capsys.readouterr().out
    assert "| 2afc | 0.8 | 0.1 |" in printed and "task cd against 2afc: " in printed


def test_an_interrupted_grid_resumes_to_the_same_networks(tmp_path, monkeypatch):
    args = ["--task", "2afc", "--lambda0", "0.8,0.98", "--seeds", "1-2", "--updates", "20", *TINY]
    whole = tmp_path / "whole"
    assert command.main(args + ["--out", str(whole)]) == 0
    evaluate, calls = orhan_ma.evaluate, []

    def fails_on_the_third(*arguments):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("interrupted")
        return evaluate(*arguments)

    monkeypatch.setattr(orhan_ma, "evaluate", fails_on_the_third)
    out = tmp_path / "interrupted"
    assert command.main(args + ["--out", str(out)]) == 1
    rows = read_records(out / "summary.csv")
    assert ["interrupted" in str(error) for error in rows["error"]] == [False, False, True, True]
    assert len(list((out / "checkpoints").glob("together-2afc-*"))) == 1  # the grid's, kept
    monkeypatch.setattr(orhan_ma, "evaluate", evaluate)
    assert command.main(args + ["--out", str(out), "--resume"]) == 0
    assert len(calls) == 3  # the two done were not tested again
    # the whole grid was trained again from its checkpoint: the same networks, bit for bit
    for name in ["2afc-lambda0.980-sigma0.200-seed-002", "2afc-lambda0.800-sigma0.200-seed-001"]:
        for key, value in np.load(whole / name / "weights.npz").items():
            np.testing.assert_array_equal(np.load(out / name / "weights.npz")[key], value)
    assert not (out / "checkpoints").exists()


@pytest.mark.parametrize("args, message", [
    (["--task", "xyz"], "unknown task 'xyz'"),
    (["--sigma0", "-1"], "--sigma0 must be non-negative"),
    (["--lambda0", "a,b"], "is not a list like"),
    (["--hidden", "0"], "hidden must be at least 1"),
    (["--si-trials", "5000"], "--si-trials in [1, test trials]"),
])
def test_bad_options_are_one_clear_error(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        command.main(args + ["--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_network_stops_early_once_its_check_loss_stays_below_the_threshold():
    task = TASKS["2afc"]()
    easy = Training(updates=100, hidden=20, report_every=10, stop_below=10.0, check_trials=50)
    trained = GridTraining(task, cells(1), easy).run(progress=False)[0]
    assert trained["stopped_early"] and trained["updates"] == 20  # below at the reports of 10 and 20
    assert [row["update"] for row in trained["curve"]] == [10, 20]
    never = Training(**{**easy.__dict__, "stop_below": -1.0, "updates": 30})
    trained = GridTraining(task, cells(1), never).run(progress=False)[0]
    assert not trained["stopped_early"] and trained["updates"] == 30


def test_the_hebbian_condition_trains_through_the_fast_weights(tmp_path):
    out = tmp_path / "hebbian"
    args = ["--condition", "hebbian", "--task", "2afc", "--updates", "20", "--out", str(out), *TINY]
    assert command.main(args) == 0
    config = read_json(out / "config.json")
    assert config["condition"] == "hebbian" and config["training"]["gamma"] == 7e-4
    hebbian = np.load(out / "2afc-lambda0.900-sigma0.200-seed-001" / "weights.npz")["W"]
    basic = GridTraining(TASKS["2afc"](), cells(1), Training(updates=20, hidden=20, report_every=10)).run(progress=False)[0]
    assert not np.allclose(hebbian, basic["params"]["W"])  # the fast weights changed the gradients


def test_the_tethered_condition_penalises_end_activity_and_reads_the_answer_earlier(tmp_path):
    out = tmp_path / "tethered"
    args = ["--condition", "tethered", "--task", "comp", "--updates", "10", "--out", str(out), *TINY]
    assert command.main(args) == 0
    config = read_json(out / "config.json")
    assert config["training"]["activity_penalty"] == 0.1 and config["task_options"]["comp"]["answer_offset"] == 10
    assert orhan_ma.make_task(config, "comp").answer_step == 140
    with pytest.raises(ValueError, match="within the response period"):
        TASKS["comp"](answer_offset=30)


def test_variable_delays_hold_the_state_and_report_both_sis(tmp_path):
    task = TASKS["2afc"](delays=[10, 40, 70, 100])
    trials = task.draw(np.random.default_rng(3), 200)
    assert set(trials.delays) == {10, 40, 70, 100}
    assert (trials.mask.sum(axis=1) == 50 + trials.delays).all()  # stimulus + delay + response
    assert not trials.inputs[~trials.mask].any()
    out = tmp_path / "vardelay"
    args = ["--condition", "variable_delay", "--task", "2afc", "--updates", "10", "--out", str(out), *TINY]
    assert command.main(args) == 0
    folder = out / "2afc-lambda0.900-sigma0.200-seed-001"
    summary = read_json(folder / "summary.json")
    assert np.isfinite(summary["si"]) and np.isfinite(summary["si_padded"])
    kept = np.load(folder / "activity.npz")
    i = int(np.argmin(kept["delays"]))  # the padded form holds the state over the padding
    end = 25 + int(kept["delays"][i]) - 1
    np.testing.assert_array_equal(kept["activity"][i, end], kept["activity"][i, 124])
    # the ANNarchy network played the unpadded trial as the twin plays the padded one
    params = dict(np.load(folder / "weights.npz"))
    hidden, _ = twin.run({k: jnp.asarray(v) for k, v in params.items()}, jnp.asarray(kept["inputs"]),
                         sigmoid=True, mask=jnp.asarray(kept["mask"]))
    np.testing.assert_allclose(kept["activity"], np.asarray(hidden), rtol=1e-4, atol=1e-5)


def test_conditions_the_paper_did_not_run_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        command.main(["--condition", "variable_delay", "--task", "sine", "--out", str(tmp_path / "x")])
    assert "the paper did not run sine in the variable_delay condition" in capsys.readouterr().err


def test_the_dynamic_input_condition_trains_with_the_sweep(tmp_path):
    out = tmp_path / "dynamic"
    args = ["--condition", "dynamic_input", "--task", "comp", "--updates", "10", "--out", str(out), *TINY]
    assert command.main(args) == 0
    folder = out / "comp-lambda0.900-sigma0.200-seed-001"
    assert np.load(folder / "weights.npz")["U"].shape == (20, 100)  # 50 sweep units + 50 task units
    assert np.load(folder / "activity.npz")["inputs"][:, :, :50].sum() > 0


def test_multitask_goes_on_with_the_same_network_and_adam_state(tmp_path):
    out = tmp_path / "multitask"
    args = ["--condition", "multitask", "--after", "cd", "--task", "2afc", "--updates", "20", "--out", str(out), *TINY]
    assert command.main(args) == 0
    folder = out / "2afc-lambda0.900-sigma0.200-seed-001"
    curve = read_records(folder / "curve.csv")
    assert list(curve["task"]) == ["cd", "cd", "2afc", "2afc"] and list(curve["update"]) == [10, 20, 10, 20]
    # the same as training cd, then continuing on 2afc by hand
    training = Training(updates=20, hidden=20, report_every=10)
    first = GridTraining(TASKS["cd"](), cells(1), training)
    first.run(progress=False)
    second = GridTraining(TASKS["2afc"](), cells(1), training, after=first).run(progress=False)[0]
    np.testing.assert_array_equal(np.load(folder / "weights.npz")["W"], second["params"]["W"])
    alone = GridTraining(TASKS["2afc"](), cells(1), training).run(progress=False)[0]
    assert not np.allclose(alone["params"]["W"], second["params"]["W"])


@pytest.mark.parametrize("args, message", [
    (["--condition", "multitask", "--after", "de1", "--task", "2afc"], "the paper trained no de1 -> 2afc pair"),
    (["--condition", "multitask", "--task", "2afc"], "--after names the first task"),
    (["--after", "cd", "--task", "2afc"], "--after names the first task"),
])
def test_multitask_pairs_the_paper_did_not_train_are_refused(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit):
        command.main(args + ["--out", str(tmp_path / "x")])
    assert message in capsys.readouterr().err


def test_the_factor_study_is_one_command_with_one_summary(tmp_path, capsys, monkeypatch):
    out = tmp_path / "study"
    args = ["--condition", "basic,hebbian,multitask", "--after", "2afc=comp,comp=2afc", "--task", "2afc", "comp",
            "--seeds", "1", "--updates", "10", "--out", str(out), *TINY]
    run, started = GridTraining.run, []

    def recorded(self, *arguments, **options):
        started.append((type(self.task).__name__, self.phase, self.done))
        return run(self, *arguments, **options)

    monkeypatch.setattr(GridTraining, "run", recorded)
    assert command.main(args) == 0
    # multitask's first phase is the basic grid of its first task: reloaded, not trained again
    assert started[-4:] == [("Comparison", 0, 10), ("TwoAlternativeForcedChoice", 1, 0),
                            ("TwoAlternativeForcedChoice", 0, 10), ("Comparison", 1, 0)]
    assert [done for *_, done in started[:-4]] == [0, 0, 0, 0]
    alone = tmp_path / "multitask"
    assert command.main(["--condition", "multitask", *args[2:-len(TINY) - 2], "--out", str(alone), *TINY]) == 0
    for name in ["2afc", "comp"]:
        folder = f"{name}-lambda0.900-sigma0.200-seed-001"
        for key, value in np.load(alone / folder / "weights.npz").items():
            np.testing.assert_array_equal(np.load(out / f"multitask-{folder}" / "weights.npz")[key], value)
    rows = read_records(out / "summary.csv")
    assert list(rows["condition"]) == ["basic"] * 2 + ["hebbian"] * 2 + ["multitask"] * 2
    config = read_json(out / "config.json")
    assert config["conditions"]["hebbian"]["training"]["gamma"] == 7e-4
    assert config["conditions"]["multitask"]["pretrain"] == {"2afc": "comp", "comp": "2afc"}
    curve = read_records(out / "multitask-comp-lambda0.900-sigma0.200-seed-001" / "curve.csv")
    assert list(dict.fromkeys(curve["task"])) == ["2afc", "comp"]  # 2AFC first, then COMP
    # the same networks as one condition run alone (basic: its layout of every earlier run)
    alone = tmp_path / "hebbian"
    assert command.main(["--condition", "hebbian", *args[4:-len(TINY) - 2], "--out", str(alone), *TINY]) == 0
    np.testing.assert_array_equal(read_records(alone / "summary.csv")["si"], rows["si"][2:4])
    assert "condition" not in read_records(alone / "summary.csv")
    written = regenerate.regenerate(out)
    assert {p.stem for p in written} >= {"si_grid_basic", "si_grid_hebbian", "activity_multitask", "conditions"}
    going = tmp_path / "study.partial"  # a study still running: its networks written so far
    shutil.copytree(out, going, ignore=shutil.ignore_patterns("summary.csv", "figures"))
    loaded, finished = orhan_ma_figures.load(going), orhan_ma_figures.load(out)
    assert set(loaded) == set(finished)
    for name, column in finished.items():
        np.testing.assert_array_equal(np.sort(loaded[name]), np.sort(column), err_msg=name)
    orhan_ma_figures.main([str(out), "--factor", "condition", "basic", "hebbian"])
    assert "condition hebbian against basic: " in capsys.readouterr().out
    orhan_ma_figures.main(["--compare", str(alone), str(out), "--out", str(tmp_path / "compared")])
    assert "| multitask | " in capsys.readouterr().out  # each condition of the study against BASIC
