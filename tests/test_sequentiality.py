"""The sequentiality index against an independent loop-by-loop reference, and on synthetic
activity whose answer is known (shared/specs/orhan.md: an ideal sequence about 5.7-6.7, flat
persistence about 3.0-3.2, a decaying persistent state 0.3-1.8)."""

import numpy as np
import pytest

from protocols.analysis.sequentiality import peak_order_asymmetry, sequentiality, trial_terms
from tests.reference_sequentiality import reference_si

T, N = 150, 120
t = np.arange(T)[:, None]


def sequence(rng, width=3.0, trials=4):
    """Units with one Gaussian bump each, peaks tiling the trial, faint noise elsewhere."""
    peaks = rng.uniform(0, T, (trials, 1, N))
    return 2.0 * np.exp(-0.5 * ((t - peaks) / width) ** 2) + 0.02 * rng.random((trials, T, N))


def test_matches_the_reference_on_random_relu_like_activity():
    rng = np.random.default_rng(1)
    trials = np.maximum(rng.normal(0.1, 0.5, (5, T, 30)), 0.0) * rng.uniform(0, 3, (5, 1, 30))
    trials[0, :, :3] = 0.0  # silent units, left out
    trials[1, 20:, 5] = 0.0  # zero background outside the window: a clipped ratio
    trials[1, :18, 5] = 0.0
    trials[1, 18:20, 5] = 40.0
    ours = sequentiality(trials)
    expected = reference_si(trials)
    assert [ours["si"], ours["entropy"], ours["ridge_to_background"]] == pytest.approx(list(expected), rel=1e-12)
    assert ours["capped_units"] > 0


def test_edges_match_the_reference():
    """Peaks at the first and the last step (clipped windows), and one peak time for all."""
    trials = np.full((2, T, 6), 0.2)
    trials[0, 0, :3] = 5.0
    trials[0, T - 1, 3:] = 5.0
    trials[1, 70] = 3.0
    assert [sequentiality(trials)[k] for k in ("si", "entropy", "ridge_to_background")] == pytest.approx(
        list(reference_si(trials)), rel=1e-12)


def test_an_ideal_sequence_scores_high():
    si = sequentiality(sequence(np.random.default_rng(2)))
    assert 5.7 <= si["si"] <= 6.7
    assert si["entropy"] == pytest.approx(np.log(20), abs=0.15)


def test_flat_persistence_scores_the_entropy_alone():
    rng = np.random.default_rng(3)
    flat = rng.uniform(0.5, 2.0, (4, 1, N)) * (1.0 + 0.05 * rng.standard_normal((4, T, N)))
    si = sequentiality(flat)
    assert 2.9 <= si["si"] <= 3.2 and abs(si["ridge_to_background"]) < 0.1


def test_a_decaying_persistent_state_scores_low():
    rng = np.random.default_rng(4)
    decaying = rng.uniform(0.5, 2.0, (4, 1, N)) * np.exp(-t / 50.0) + 0.01 * rng.random((4, T, N))
    si = sequentiality(decaying)
    assert 0.3 <= si["si"] <= 1.8 and si["entropy"] < 0.2


def test_a_trial_without_active_units_has_no_si():
    empty = np.zeros((T, 10))
    assert np.isnan(trial_terms(empty)["si"])
    both = np.stack([empty, sequence(np.random.default_rng(5), trials=1)[0, :, :10]])
    result = sequentiality(both)
    assert result["empty_trials"] == 1 and np.isfinite(result["si"])


def test_weights_from_earlier_to_later_units_show_as_asymmetry():
    rng = np.random.default_rng(6)
    activity = sequence(rng, trials=1)
    peaks = activity[0].argmax(axis=0)
    later = peaks[:, None] > peaks[None, :]  # [post, pre]
    w = np.where(later, 0.3, 0.1) + 0.01 * rng.standard_normal((N, N))
    result = peak_order_asymmetry(w, activity)
    assert result["asymmetry"] == pytest.approx(0.2, abs=0.01)
    assert peak_order_asymmetry(w.T, activity)["asymmetry"] == pytest.approx(-0.2, abs=0.01)
