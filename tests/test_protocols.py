"""The protocols as a user runs them: learning, results folders, bad input, many seeds."""

import csv
import json

import numpy as np
import pytest

from protocols import dnms, selective_integration
from protocols.analysis import psychometrics
from protocols.learning import augment, node_perturbation
from protocols.running.results import read_records

DNMS_BUDGET = 3000  # trials (Miconi's); over seeds 1-20 the slowest reached the criterion at 1797
DNMS_SEEDS = "1-3"


def test_dnms_is_learned_by_every_seed_within_the_budget(tmp_path):
    """miconi2017, seeds 1-3, each to Miconi's criterion within 3000 trials (3 of 3; the 20-seed
    reproduction reached it at 458-1797); then, perturbations off, each trial type's response
    has the sign of its target."""
    out = tmp_path / "run"
    args = ["--trials", str(DNMS_BUDGET), "--stop-at-criterion", "--seeds", DNMS_SEEDS, "--jobs", "2"]
    assert dnms.main(args + ["--out", str(out), "--quiet"]) == 0
    rows = read_records(out / "summary.csv")
    assert not np.isnan(rows["trials_to_criterion"]).any(), rows["trials_to_criterion"]
    for seed, reached in zip(rows["seed"], rows["trials_to_criterion"]):
        folder = out / f"seed-{int(seed):03d}"
        traces = np.load(folder / "traces.npz")
        response = traces["after"][:, traces["response_start"] :].mean(axis=1)
        assert np.all(np.sign(response) == [-1, 1, 1, -1]), (seed, response)  # AA, AB, BA, BB
        records = read_records(folder / "trials.csv")
        assert len(records["trial"]) == reached  # training stopped at the criterion
        assert np.mean(records["error"][-100:] < 1.0) >= 0.95
        assert np.mean(records["error"][:100] < 1.0) < 0.8  # not solved from the start
    config = json.loads((out / "seed-001" / "config.json").read_text())
    assert config["preset"] == "miconi2017" and config["seed"] == 1
    assert config["reservoir"]["eta"] == 0.1 and config["reservoir"]["density"] == 1.0
    assert config["reservoir"]["kernel"] == "factored"
    assert np.load(out / "seed-001" / "weights.npz")["w_rec"].shape == (200, 200)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--trials", "-5"], "--trials must be a positive"),
        (["--density", "0"], "density must be in (0, 1]"),
        (["--sparseness", "1.5"], "density must be in (0, 1]"),
        (["--seeds", "x"], "--seeds 'x'"),
        (["--kernel", "numpy"], "invalid choice: 'numpy'"),
    ],
)
def test_bad_input_is_one_clear_error(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        dnms.main(args + ["--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("")
    with pytest.raises(SystemExit):
        dnms.main(["--out", str(target)])
    assert "is a file" in capsys.readouterr().err


def test_interrupted_run_leaves_no_results_folder(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(node_perturbation, "train", interrupted)
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        dnms.main(["--preset", "notebook", "--trials", "10", "--out", str(out), "--quiet"])
    # nothing under the final name; the staging folder is what --resume continues
    assert [p.name for p in tmp_path.iterdir()] == ["run.partial"]
    assert not list((tmp_path / "run.partial").glob("seed-*/summary.json"))


def test_many_seeds_in_worker_processes(tmp_path):
    out = tmp_path / "seeds"
    args = ["--preset", "notebook", "--trials", "12", "--seeds", "3-5", "--jobs", "2"]
    assert dnms.main(args + ["--out", str(out), "--quiet"]) == 0
    with open(out / "summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["seed"] for row in rows] == ["3", "4", "5"]
    errors = [read_records(out / f"seed-{s:03d}" / "trials.csv")["error"] for s in (3, 4, 5)]
    assert not np.allclose(errors[0], errors[1])  # seeds differ...
    again = tmp_path / "again"
    assert dnms.main(["--preset", "notebook", "--trials", "12", "--seed", "4", "--out", str(again), "--quiet"]) == 0
    np.testing.assert_array_equal(read_records(again / "seed-004" / "trials.csv")["error"], errors[1])  # ...and repeat


def test_selective_integration_writes_psychometric_data(tmp_path):
    out = tmp_path / "si"
    args = ["--preset", "notebook", "--trials", "8", "--repeats", "1", "--out", str(out), "--quiet"]
    assert selective_integration.main(args) == 0
    data = dict(np.load(out / "seed-001" / "psychometric.npz"))
    levels = len(selective_integration.LEVELS)
    assert data["p_plus"].shape == data["response"].shape == (2, levels, levels)
    summary = json.loads((out / "seed-001" / "summary.json").read_text())
    assert {"slope_relevant", "slope_irrelevant", "logit_relevant"} <= set(summary)
    config = json.loads((out / "seed-001" / "config.json").read_text())
    assert config["reservoir"]["eta"] == 0.01 and config["reservoir"]["A"] == 30.0
    # retest from the saved weights: measured again, the same twice
    assert selective_integration.main(["retest", str(out), "--repeats", "1"]) == 0
    first = dict(np.load(out / "seed-001" / "psychometric.npz"))
    assert selective_integration.main(["retest", str(out), "--repeats", "1"]) == 0
    np.testing.assert_array_equal(first["response"], np.load(out / "seed-001" / "psychometric.npz")["response"])


def test_a_failed_retest_leaves_the_run_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "si"
    args = ["--preset", "notebook", "--trials", "4", "--repeats", "1", "--seeds", "1-2", "--out", str(out), "--quiet"]
    assert selective_integration.main(args) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []

    def fails_on_the_second_seed(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        return original(*args, **kwargs)

    original = selective_integration.evaluate
    monkeypatch.setattr(selective_integration, "evaluate", fails_on_the_second_seed)
    with pytest.raises(RuntimeError):
        selective_integration.retest(out, repeats=2)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["si"]


def test_retest_needs_a_finished_run(tmp_path, capsys):
    with pytest.raises(SystemExit):
        selective_integration.main(["retest", str(tmp_path)])
    assert "holds no finished selective-integration run" in capsys.readouterr().err


def test_psychometric_slopes():
    levels = np.array(selective_integration.LEVELS)
    step = (levels > 0).astype(float)
    # context 0 follows modality 1 (axis 1), context 1 follows modality 2 (axis 2)
    p_plus = np.stack([np.repeat(step[:, None], len(levels), 1), np.repeat(step[None, :], len(levels), 0)])
    relevant, irrelevant = psychometrics.slopes(p_plus, levels)
    assert relevant > 1.0 and irrelevant == pytest.approx(0.0, abs=1e-12)


def test_logistic_slopes_recover_known_coefficients():
    levels = np.array(selective_integration.LEVELS)
    first, second = np.meshgrid(levels, levels, indexing="ij")
    logistic = lambda relevant, irrelevant: 1 / (1 + np.exp(-(0.2 + 20 * relevant + 2 * irrelevant)))  # noqa: E731
    p_plus = np.stack([logistic(first, second), logistic(second, first)])
    relevant, irrelevant = psychometrics.logistic_slopes(p_plus, levels, repeats=10, ridge=0)
    assert relevant == pytest.approx(20) and irrelevant == pytest.approx(2)


def test_configurations_saved_under_older_names_read_back():
    """Results folders of older versions name the density `sparseness` and AuGMEnT's
    retention `leak`: they read back under the new names."""
    reservoir = node_perturbation.settings_from({"preset": "notebook", "reservoir": {"sparseness": 0.3, "bias_units": [[0, 1.0]]}})
    assert reservoir.density == 0.3
    settings = augment.settings_from({"augment": {"leak": [0.7, 1.0], "n_memory": 4}})
    assert settings.retention == (0.7, 1.0)
