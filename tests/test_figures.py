"""Figure scripts on synthetic results folders: every figure is written as PNG and SVG."""

import numpy as np
import pytest

from figures import babi, dnms, selective_integration
from protocols.learning.node_perturbation import RECORD_DTYPE
from protocols.running.results import write_json, write_records, write_rows

TYPES = {"dnms": ("AA", "AB", "BA", "BB"), "selective_integration": ("m1+", "m1-", "m2+", "m2-")}
SCRIPTS = {"dnms": dnms, "selective_integration": selective_integration}
EXPECTED = {
    ("dnms", 1): ["learning", "traces"],
    ("dnms", 3): ["learning", "traces", "criterion"],
    ("selective_integration", 1): ["learning", "psychometric", "response"],
    ("selective_integration", 3): ["learning", "psychometric", "response"],
}


def fake_run(folder, protocol, seed, trials=400, steps=60):
    """A single-run folder with random data in the formats the protocols write."""
    rng = np.random.default_rng(seed)
    types = TYPES[protocol]
    folder.mkdir(parents=True)
    records = np.zeros(trials, dtype=RECORD_DTYPE)
    records["trial"] = np.arange(trials)
    records["type"] = [types[i % len(types)] for i in range(trials)]
    records["error"] = rng.uniform(0, 2, trials) * np.exp(-np.arange(trials) / 150)
    records["reward"] = -records["error"]
    records["mean_error"] = rng.uniform(0, 2, trials)
    records["learned"] = records["trial"] >= 10
    reached = None if seed == 2 else int(rng.integers(100, trials))
    write_json(folder / "config.json", {"protocol": protocol, "preset": "miconi2017",
                                        "trials": trials, "seed": seed})
    write_records(folder / "trials.csv", records)
    write_json(folder / "summary.json", {"seed": seed, "trials_to_criterion": reached,
                                         "final_error": float(records["error"][-100:].mean())})
    np.savez_compressed(folder / "traces.npz", before=rng.uniform(-1, 1, (4, steps)),
                        after=np.tanh(rng.normal(0, 2, (4, steps))), types=np.array(types),
                        response_start=steps - 20)
    np.savez_compressed(folder / "weights.npz", w_rec=rng.normal(0, 0.1, (20, 20)))
    if protocol == "selective_integration":
        levels = np.linspace(-0.25, 0.25, 11)
        shape = (2, len(levels), len(levels))
        np.savez_compressed(folder / "psychometric.npz", levels=levels,
                            p_plus=rng.uniform(0, 1, shape), response=rng.uniform(-1, 1, shape))
    return {"seed": seed, "trials_to_criterion": reached, "final_error": 0.5}


def fake_results(path, protocol, seeds):
    """One run in ``path`` (one seed) or seed-NNN/ runs and summary.csv (several)."""
    if len(seeds) == 1:
        fake_run(path, protocol, seeds[0])
        return
    rows = [fake_run(path / f"seed-{seed:03d}", protocol, seed) for seed in seeds]
    write_rows(path / "summary.csv", rows)


@pytest.mark.parametrize("protocol, n_seeds", sorted(EXPECTED))
def test_figures_written(tmp_path, protocol, n_seeds):
    results = tmp_path / "results"
    fake_results(results, protocol, list(range(1, n_seeds + 1)))
    written = SCRIPTS[protocol].main([str(results)])
    expected = [results / "figures" / f"{name}.{ext}"
                for name in EXPECTED[protocol, n_seeds] for ext in ("png", "svg")]
    assert sorted(written) == sorted(expected)
    assert all(path.stat().st_size > 0 for path in expected)


def test_out_option(tmp_path):
    fake_results(tmp_path / "results", "dnms", [1])
    written = dnms.main([str(tmp_path / "results"), "--out", str(tmp_path / "figs")])
    assert {path.parent for path in written} == {tmp_path / "figs"}


@pytest.mark.parametrize("script", [dnms, selective_integration])
def test_folder_without_results(tmp_path, capsys, script):
    with pytest.raises(SystemExit):
        script.main([str(tmp_path)])
    assert f"{tmp_path} holds no results" in capsys.readouterr().err


def test_wrong_protocol(tmp_path, capsys):
    fake_results(tmp_path / "results", "dnms", [1])
    with pytest.raises(SystemExit):
        selective_integration.main([str(tmp_path / "results")])
    assert "'dnms' results, not 'selective_integration'" in capsys.readouterr().err


def babi_summary(folder, rows):
    """A bAbI summary.csv of (task, seed, test accuracy, validation accuracy) rows."""
    folder.mkdir(parents=True)
    write_rows(folder / "summary.csv", [dict(task=t, seed=s, test_accuracy=a, valid_accuracy=v, data="bAbI-style")
                                        for t, s, a, v in rows])


def test_babi_table_joins_folders_and_reports_the_best_run_by_validation(tmp_path, capsys):
    babi_summary(tmp_path / "a", [(1, 1, 0.99, 0.90), (1, 2, 0.90, 0.95), (2, 1, 0.50, 0.40)])
    babi_summary(tmp_path / "b", [(1, 3, 1.00, 0.80), (2, 2, 0.97, 0.40), (2, 3, 0.80, 0.30)])
    babi_summary(tmp_path / "rbw", [(2, 1, 0.99, 0.99)])
    babi.main([str(tmp_path / "a"), str(tmp_path / "b"), "--rbw", str(tmp_path / "rbw")])
    printed = capsys.readouterr().out
    # task 1: seed 2 has the best validation (error 10 %), median of 1, 10, 0 %; task 2: seeds 1
    # and 2 tie on validation, the lower seed's error (50 %) is reported, median 20 %
    assert "| 1 | 10.0 | 1.0 |  |  |" in printed and "| 2 | 50.0 | 20.0 | 1.0 | 1.0 |" in printed
    assert "H-Mem (bAbI-style): 0 of 2 tasks solved" in printed and "mean error 30.0 %" in printed
    assert "H-Mem rbw (bAbI-style): 1 of 1 tasks solved" in printed
    assert (tmp_path / "a" / "figures" / "babi_error.png").stat().st_size > 0


def test_babi_table_refuses_a_run_found_twice(tmp_path, capsys):
    babi_summary(tmp_path / "a", [(1, 1, 0.99, 0.90)])
    babi_summary(tmp_path / "b", [(1, 1, 0.98, 0.90)])
    with pytest.raises(SystemExit):
        babi.main([str(tmp_path / "a"), str(tmp_path / "b")])
    assert f"task 1 seed 1 is in both {tmp_path / 'a'} and {tmp_path / 'b'}" in capsys.readouterr().err
