"""The ANNarchy AuGMEnT network and an independent numpy reference agree step by step.

One structure (3 inputs, 3 regular, 4 memory units, 3 actions) is compiled once; the presets
(graded/binary transients, bias or not, symmetric/separate feedback, theta, lambda) and the
retention phi (standard, leaky, hybrid) are runtime values. Whole trials of 3-9 steps on random inputs
(repeated values included, so transients are also zero), random actions and random rewards;
every step compares activities, q, the TD error, tags, traces and all weights. Trials learn
at every step, once per trial (weight updates gated off until the trial's end, as in sequence
prediction) or not at all (the test phase of a protocol). Then whole trials of each task
(12AX, saccade/antisaccade, sequence prediction, tXOR) with the task's inputs, rewards and
learning schedule, on the structures the protocols compile.
"""

import numpy as np
import pytest

from networks import cache
from networks.augment import AugmentNetwork, draw_weights, retention_per_unit, preset
from protocols.tasks.augment import Saccade, SequencePrediction, TemporalXOR, TwelveAX
from protocols.learning.policies import Policy
from tests.reference_augment import Reference

N_INPUTS, SIZES = 3, dict(n_regular=3, n_memory=4, n_actions=3)
TOL = dict(rtol=1e-9, atol=1e-12)
RETENTIONS = dict(standard=1.0, leaky=0.7, hybrid=(0.7, 1.0))


def close(actual, expected, what):
    np.testing.assert_allclose(actual, expected, err_msg=what, **TOL)


def compare(net, ref, config):
    activities = net.activities()
    for name, value in [("transient", ref.x_trans), ("inp_r", ref.inp_r), ("y_r", ref.y_r),
                        ("g_r", ref.g_r), ("inp_m", ref.inp_m), ("y_m", ref.y_m),
                        ("g_m", ref.g_m)]:
        close(activities[name], value, name)
    close(net.q, ref.q, "q")
    close(net.delta, ref.delta, "delta")
    close(net.traces(), ref.s_trace.T, "trace")
    compare_plastic(net, ref, config)


def compare_plastic(net, ref, config):
    """Weights and tags; without bias the bias weights stay as drawn and untagged."""
    weights, tags = net.weights(), net.tags()
    for name, value in ref.weights().items():
        close(weights[name], value, f"weights {name}")
    for name, value in ref.tags().items():
        close(tags[name], value, f"tag {name}")
    if not config.bias:
        for name in ("v_r_bias", "w_bias"):
            np.testing.assert_array_equal(weights[name], net.initial_weights[name])
            np.testing.assert_array_equal(tags[name], 0.0)
    if config.feedback == "symmetric":  # Rombouts: feedback stays exactly the forward weights
        np.testing.assert_array_equal(weights["fb_r"], weights["w_r"].T)
        np.testing.assert_array_equal(weights["fb_m"], weights["w_m"].T)


@pytest.mark.parametrize("model", RETENTIONS)
@pytest.mark.parametrize("name", ["rombouts2015", "martinolli2018"])
def test_trials_match_reference(name, model):
    config = preset(name, retention=RETENTIONS[model], **SIZES)
    rng = np.random.default_rng([7, len(name), len(model)])
    weights = draw_weights(config, N_INPUTS, rng)
    net = cache.build(AugmentNetwork, seed=1, n_inputs=N_INPUTS, config=config, weights=weights)
    ref = Reference(
        weights, retention_per_unit(config.retention, config.n_memory), beta=config.beta, lam=config.lam,
        gamma=config.gamma, theta=config.theta, bias=config.bias,
        binary=config.transients == "binary", symmetric=config.feedback == "symmetric",
    )
    # (learn at each step, learn at the end, clear x(t-1) at the end): every step, every
    # step with the input carried into the next trial, once per trial, never
    schedule = [(True, True, True), (True, True, False), (False, True, True), (False, False, True)]
    for step_learn, end_learn, clear_input in schedule:
        net.start_trial()
        reward = 0.0
        for _ in range(rng.integers(3, 10)):
            x = rng.choice([0.0, 0.5, 1.0], N_INPUTS)
            a = rng.integers(config.n_actions)
            assert net.step(x, lambda q: a, reward, learn=step_learn) == a
            ref.step(x, a, reward, learn=step_learn)
            compare(net, ref, config)
            reward = rng.choice([0.0, 0.2, -1.0, 1.5])
        final = rng.choice([1.5, -1.0])
        net.end_trial(final, learn=end_learn, clear_input=clear_input)
        ref.end_trial(final, learn=end_learn, clear_input=clear_input)
        close(net.delta, ref.delta, "final delta")
        compare_plastic(net, ref, config)
        np.testing.assert_array_equal(net.traces(), 0.0)
        np.testing.assert_array_equal(net.memory.inp, 0.0)
    moved = np.abs(net.weights()["v_m"] - weights["v_m"]).max()
    assert moved > 1e-3  # learning really happened in the deepest layer


def test_retention_list_must_divide_memory_units():
    with pytest.raises(ValueError, match=r"retention \(0\.7, 1\.0, 0\.5\) must be one value"):
        preset("rombouts2015", retention=(0.7, 1.0, 0.5), n_memory=4)
    np.testing.assert_array_equal(retention_per_unit((0.7, 1.0), 4), [0.7, 0.7, 1.0, 1.0])


TASKS = {
    "12ax": (lambda: TwelveAX(), "martinolli2018", {}),
    "saccade": (lambda: Saccade(), "rombouts2015", dict(n_regular=3, n_memory=4)),
    "sequence": (lambda: SequencePrediction(2), "martinolli2018", dict(n_regular=3, n_memory=4)),
    "txor": (lambda: TemporalXOR(), "martinolli2018", dict(n_regular=3, n_memory=4)),
}


@pytest.mark.parametrize("model", RETENTIONS)
@pytest.mark.parametrize("name", TASKS)
def test_task_trials_match_reference(name, model):
    """Whole trials of each task, actions from an exploring policy on the network's q, the
    task's rewards and its learning schedule (once per trial in sequence prediction)."""
    make_task, preset_name, sizes = TASKS[name]
    task = make_task()
    config = preset(preset_name, retention=RETENTIONS[model], n_actions=len(task.outputs), **sizes)
    rng = np.random.default_rng([11, len(name), len(model)])
    weights = draw_weights(config, len(task.inputs), rng)
    net = cache.build(AugmentNetwork, seed=1, n_inputs=len(task.inputs), config=config,
                      weights=weights)
    ref = Reference(
        weights, retention_per_unit(config.retention, config.n_memory), beta=config.beta, lam=config.lam,
        gamma=config.gamma, theta=config.theta, bias=config.bias,
        binary=config.transients == "binary", symmetric=config.feedback == "symmetric",
    )
    policy = Policy("max-boltzmann", rng, eps=0.3)
    for _ in range(5):
        trial, reward = task.new_trial(rng), 0.0
        net.start_trial()
        while not trial.done:
            x = trial.observation()
            a = net.step(x, policy, reward, learn=task.learn_every_step)
            ref.step(x, a, reward, learn=task.learn_every_step)
            compare(net, ref, config)
            reward = trial.step(a)
        net.end_trial(reward, clear_input=not task.continuous_input)
        ref.end_trial(reward, clear_input=not task.continuous_input)
        compare_plastic(net, ref, config)
