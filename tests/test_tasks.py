"""Tasks on the one interface, criterion and seed parsing: small pure-numpy checks."""

import numpy as np
import pytest

from protocols.analysis.criteria import trials_to_criterion
from protocols.running.runner import parse_seeds
from protocols.data.images import Data
from protocols.tasks.augment import Saccade, SequencePrediction, TemporalXOR, TwelveAX
from protocols.tasks.base import Task
from protocols.tasks.image_association import ImageAssociation
from protocols.tasks.miconi import DNMS, SelectiveIntegration


def test_dnms_trials():
    task = DNMS()
    assert task.trial_steps == 1000 and task.response == slice(800, 1000)
    rng = np.random.default_rng(0)
    targets = {name: task.new_trial(rng, name).target for name in task.trial_types}
    assert targets == {"AA": -0.98, "AB": 0.98, "BA": 0.98, "BB": -0.98}
    ab = task.new_trial(rng, "AB").inputs
    assert ab[:200, 0].all() and not ab[:200, 1].any()
    assert ab[400:600, 1].all() and not ab[400:600, 0].any()
    assert not ab[200:400].any() and not ab[600:].any()
    assert [task.trial_type(i) for i in range(6)] == ["AA", "AB", "BA", "BB", "AA", "AB"]


def test_dnms_timing_is_checked():
    assert DNMS(timing={"delay1": 100}).trial_steps == 900
    with pytest.raises(ValueError, match="timing"):
        DNMS(timing={"delay1": -5})
    with pytest.raises(ValueError, match="timing"):
        DNMS(timing={"stimulus3": 5})


def test_selective_integration_trials():
    task = SelectiveIntegration()
    rng = np.random.default_rng(0)
    for k, name in enumerate(task.trial_types):
        trial = task.new_trial(rng, name)
        assert trial.trial_type == name
        attended = k // 2
        assert trial.target == (1.0 if k % 2 == 0 else -1.0)
        assert trial.biases[attended] == (0.5 if k % 2 == 0 else -0.5)
        assert abs(trial.biases[1 - attended]) == 0.5
        assert trial.inputs[:500, 2 + attended].all() and not trial.inputs[:500, 3 - attended].any()
        assert not trial.inputs[500:].any()
    # the modalities carry 0.5 * (N(0, 1) + bias)
    x = np.stack([task.with_biases("m1+", (0.3, -0.2), rng).inputs[:500, :2] for _ in range(40)])
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


ALL_TASKS = [DNMS, SelectiveIntegration, TwelveAX, SequencePrediction, TemporalXOR, Saccade]


@pytest.mark.parametrize("cls", ALL_TASKS, ids=lambda cls: cls.__name__)
def test_every_task_is_on_the_one_interface(cls):
    """Metadata, named channels and trial types, options that recreate the task, seeded
    trials of every type; whole-trial arrays where the trial is fixed in advance."""
    task = cls()
    assert isinstance(task, Task) and task.metadata["paper"] and task.metadata["tags"]
    assert task.inputs and task.outputs and task.trial_types
    assert cls(**task.options()).options() == task.options()
    rng = np.random.default_rng(3)
    for name in task.trial_types:
        trial = task.new_trial(rng, name)
        assert trial.trial_type == name and not trial.done
        assert trial.observation().shape == (len(task.inputs),)
    with pytest.raises(ValueError, match="unknown trial type 'nope'"):
        task.new_trial(rng, "nope")
    if cls is not Saccade:  # its trial depends on the actions: no arrays in advance
        trial = task.new_trial(np.random.default_rng(4))
        assert trial.inputs.shape[1] == len(task.inputs) and trial.targets.shape == (len(trial.inputs), len(task.outputs))
        np.testing.assert_array_equal(trial.observation(), trial.inputs[0])
        again = task.new_trial(np.random.default_rng(4))
        np.testing.assert_array_equal(again.inputs, trial.inputs)  # seeded


def test_batches_of_whole_trials_for_gradient_training():
    task, rng = DNMS(), np.random.default_rng(5)
    inputs, targets = task.batch(rng, 6)
    assert inputs.shape == (6, 1000, 2) and targets.shape == (6, 1000, 1)
    assert np.isnan(targets[:, :800]).all() and set(np.unique(targets[:, 800:])) <= {-0.98, 0.98}
    inputs, targets = TemporalXOR().batch(rng, 4)
    assert inputs.shape == (4, 3, 4) and targets.shape == (4, 3, 2)
    assert np.isnan(targets[:, :2]).all() and (np.nansum(targets[:, 2], axis=1) == 1).all()


def test_timing_and_rewards_are_overridable_and_checked():
    assert Saccade(timing={"delay": 4}).timing["delay"] == 4
    assert TwelveAX(rewards={"correct": 0.5}).rewards == {"correct": 0.5, "error": -1.0}
    with pytest.raises(ValueError, match=r"unknown rewards \['bonus'\]"):
        TwelveAX(rewards={"bonus": 1.0})
    with pytest.raises(ValueError, match="timing must give whole numbers of steps >= 1"):
        Saccade(timing={"go": 0})


def test_image_association_is_on_the_one_interface():
    """Frames step by step from a small data set: D filler frames after each pair, the query
    last, judged by step(answer); the queried pair as the trial type."""
    rng = np.random.default_rng(6)
    labels = np.repeat(np.arange(10), 3)
    data = Data(rng.random((30, 4, 4)), labels, rng.random((30, 2, 2)), labels)
    task = ImageAssociation(delay=2)
    assert isinstance(task, Task) and task.metadata["paper"]
    assert task.trial_steps == 3 * (1 + 2) + 1 and task.period("query") == slice(9, 10)
    assert ImageAssociation(**task.options()).timing == task.timing
    trial = task.new_trial(rng, "pair2", data=data, noise=np.random.default_rng(7))
    assert trial.trial_type == "pair2" and trial.episode.position == 1
    shown = []
    while not trial.done:
        shown.append(trial.observation())
        reward = trial.step(trial.episode.answer if len(shown) == trial.length else None)
    assert len(shown) == 10 and shown[0].shape == (16 + 4,)
    assert reward == 1.0 and trial.correct
    np.testing.assert_array_equal(shown[1], np.concatenate(task.fill(data, np.random.default_rng(7))))  # noise
    np.testing.assert_array_equal(shown[-1][16:], 0.0)  # the query's digit field is empty
    wrong = task.new_trial(rng, data=data)
    for _ in range(wrong.length - 1):
        wrong.step(None)
    assert wrong.step((wrong.episode.answer + 1) % 10) == 0.0 and wrong.done and not wrong.correct
