"""Seed-paired comparison of two conditions' summaries."""

import numpy as np
import pytest

from protocols.analysis.pairing import by_factor, paired


def rows(si, included, seeds=(1, 2, 3), task="2afc"):
    n = len(seeds)
    return {"task": np.array([task] * n), "lambda0": np.full(n, 0.9), "sigma0": np.full(n, 0.2),
            "seed": np.array(seeds, dtype=float), "included": np.array([str(v) for v in included]),
            "si": np.array(si, dtype=float), "entropy": np.array(si) / 2, "ridge_to_background": np.array(si) / 2}


def test_pairs_only_networks_included_on_both_sides():
    basic = rows([3.0, 2.0, 4.0], [True, True, False])
    other = rows([2.5, 2.6, 1.0], [True, True, True])
    result = paired(basic, other)
    assert result["networks"] == 3 and result["pairs"] == 2
    assert result["included_basic"] == pytest.approx(2 / 3) and result["included_other"] == 1.0
    assert result["si"]["median_difference"] == pytest.approx(np.median([-0.5, 0.6]))
    assert (result["si"]["higher"], result["si"]["lower"]) == (1, 1)


def test_networks_pair_on_task_grid_cell_and_seed():
    basic = rows([3.0, 2.0], [True, True], seeds=(1, 2))
    other = rows([5.0, 9.0], [True, True], seeds=(2, 7))  # only seed 2 is in both
    result = paired(basic, other)
    assert result["pairs"] == 1 and result["si"]["median_difference"] == pytest.approx(3.0)
    assert paired(basic, rows([1.0, 1.0], [True, True], seeds=(1, 2), task="comp"))["networks"] == 0


def test_a_factor_within_one_summary_pairs_on_the_other_keys():
    a, b = rows([2.0, 3.0], [True, True], seeds=(1, 2)), rows([4.0, 2.5], [True, True], seeds=(1, 2), task="comp")
    both = {k: np.concatenate([a[k], b[k]]) for k in a}
    result = by_factor(both, "task", "2afc", "comp")
    assert result["pairs"] == 2 and (result["si"]["higher"], result["si"]["lower"]) == (1, 1)
    assert result["si"]["median_difference"] == pytest.approx(np.median([2.0, -0.5]))
    low = rows([2.0, 3.0], [True, True], seeds=(1, 2))
    high = {**rows([3.0, 5.0], [True, True], seeds=(1, 2)), "sigma0": np.full(2, 0.4)}
    grid = {k: np.concatenate([low[k], high[k]]) for k in low}
    assert by_factor(grid, "sigma0", 0.2, 0.4)["si"]["higher"] == 2
