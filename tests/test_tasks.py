"""Tasks, criterion and seed parsing: small pure-numpy checks."""

import numpy as np
import pytest

from protocols.analysis.criteria import trials_to_criterion
from protocols.running.runner import parse_seeds
from protocols.tasks.miconi import DNMS, SelectiveIntegration


def test_dnms_trials():
    task = DNMS()
    assert task.trial_steps == 1000 and task.response == slice(800, 1000)
    targets = {name: task.trial(k).target for k, name in enumerate(task.trial_types)}
    assert targets == {"AA": -0.98, "AB": 0.98, "BA": 0.98, "BB": -0.98}
    ab = task.trial(1).inputs
    assert ab[:200, 0].all() and not ab[:200, 1].any()
    assert ab[400:600, 1].all() and not ab[400:600, 0].any()
    assert not ab[200:400].any() and not ab[600:].any()
    assert [task.trial_type(i) for i in range(6)] == [0, 1, 2, 3, 0, 1]


def test_dnms_timing_is_checked():
    assert DNMS(timing={"delay1": 100}).trial_steps == 900
    with pytest.raises(ValueError, match="timing"):
        DNMS(timing={"delay1": -5})
    with pytest.raises(ValueError, match="timing"):
        DNMS(timing={"stimulus3": 5})


def test_selective_integration_trials():
    task = SelectiveIntegration()
    rng = np.random.default_rng(0)
    for k in range(4):
        trial = task.trial(k, rng)
        attended = k // 2
        assert trial.target == (1.0 if k % 2 == 0 else -1.0)
        assert trial.biases[attended] == (0.5 if k % 2 == 0 else -0.5)
        assert abs(trial.biases[1 - attended]) == 0.5
        assert trial.inputs[:500, 2 + attended].all() and not trial.inputs[:500, 3 - attended].any()
        assert not trial.inputs[500:].any()
    # the modalities carry 0.5 * (N(0, 1) + bias)
    x = np.stack([task.trial(0, rng, biases=(0.3, -0.2)).inputs[:500, :2] for _ in range(40)])
    np.testing.assert_allclose(x.mean(axis=(0, 1)), [0.15, -0.1], atol=0.02)
    np.testing.assert_allclose(x.std(axis=(0, 1)), [0.5, 0.5], atol=0.02)


def test_trials_to_criterion():
    errors = np.r_[np.full(300, 1.5), np.full(200, 0.2)]
    assert trials_to_criterion(errors) == 395  # 95 of the last 100 below 1 at trial 395
    assert trials_to_criterion(np.full(500, 1.2)) is None
    assert trials_to_criterion(np.full(50, 0.1)) is None


def test_parse_seeds():
    assert parse_seeds("7") == [7]
    assert parse_seeds("1-3,9") == [1, 2, 3, 9]
    for bad in ("a", "3-1,2-2,2", "1,1"):
        with pytest.raises(ValueError):
            parse_seeds(bad)
