"""Figure scripts on synthetic results folders: every figure is written as PNG and SVG."""

import numpy as np
import pytest

from figures import dnms, selective_integration
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
