"""Statistical reproductions of Miconi (2017); long, run on purpose: pytest -m slow."""

import csv
import statistics

import pytest

from protocols import dnms, selective_integration

pytestmark = pytest.mark.slow


def _summary(folder):
    with open(folder / "summary.csv") as handle:
        return list(csv.DictReader(handle))


def test_dnms_miconi2017_over_20_seeds(tmp_path):
    """Paper: median 843 trials to criterion (IQR 692-1125) over 20 runs; Miconi's own code
    reached it in 11 of 13 seeds on this kind of machine (median 1101)."""
    args = ["--preset", "miconi2017", "--trials", "3000", "--stop-at-criterion"]
    dnms.main(args + ["--seeds", "101-120", "--jobs", "2", "--out", str(tmp_path), "--quiet"])
    reached = [int(r["trials_to_criterion"]) for r in _summary(tmp_path) if r["trials_to_criterion"]]
    assert len(reached) >= 15
    assert statistics.median(reached) <= 1500


def test_selective_integration_over_10_seeds(tmp_path):
    """After 20 000 trials the relevant modality's psychometric slope is at least 5x the
    irrelevant one's at Miconi's test biases (-0.25..0.25; medians over seeds)."""
    args = ["--preset", "miconi2017", "--trials", "20000"]
    selective_integration.main(args + ["--seeds", "101-110", "--jobs", "2", "--out", str(tmp_path), "--quiet"])
    rows = _summary(tmp_path)
    relevant = statistics.median(float(r["slope_relevant"]) for r in rows)
    irrelevant = statistics.median(abs(float(r["slope_irrelevant"])) for r in rows)
    assert relevant >= 5 * irrelevant
