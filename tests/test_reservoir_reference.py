"""The ANNarchy reservoir and an independent numpy reference agree step by step.

Random weights, random inputs, bias units, the trace and perturbation delays of Miconi's code;
the perturbations are made deterministic by recording the ones ANNarchy drew and replaying
them in the reference. Two trials with a weight update between them, for both kernels of the
learning rule (ANNarchy equations; the C++ projection that forms the trace from its factors,
with sparse rows and with a dense mirror).
"""


import numpy as np
import pytest

from networks import cache
from networks.reservoir import KERNELS, ReservoirNetwork, draw_weights, preset
from tests.reference_reservoir import Reference

N, N_INPUTS, STEPS = 24, 3, 60


class RecordingReservoir(ReservoirNetwork):
    """The reservoir with every unit's x, r and kick recorded."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.state_monitor = self.monitor(self.units, ["x", "r", "kick"])


# the C++ kernel keeps sparse rows below half the possible synapses, a dense mirror above
VARIANTS = [(kernel, 0.3) for kernel in KERNELS] + [("factored", 0.8), ("factored", 1.0)]


def make_config(kernel, density):
    return preset(
        "miconi2017",
        kernel=kernel,
        n_neurons=N,
        density=density,
        bias_units=((1, 1.0), (5, -1.0)),
        output=3,
        f=300.0,  # many perturbations in a short test
        eta=2.0,  # weight changes large enough to matter
        max_dw=0.05,
    )


@pytest.fixture(scope="module", params=VARIANTS, ids=[f"{k}-p{p}" for k, p in VARIANTS])
def setup(request):
    config = make_config(*request.param)
    rng = np.random.default_rng(11)
    w_in, w_rec = draw_weights(config, N_INPUTS, rng)
    net = cache.build(
        RecordingReservoir, seed=3, w_in=w_in, w_rec=w_rec, config=config, trial_steps=STEPS
    )
    ref = Reference(w_in, w_rec, net._clamp, config.tau, config.alpha, config.trace_start)
    return config, net, ref, rng


def trial(net, ref, rng, blocks=STEPS):
    """One trial on inputs that change ``blocks`` times; checks x, r and the output."""
    x0 = rng.uniform(-0.1, 0.1, N)
    steps = net.trial_steps
    inputs = np.repeat(rng.uniform(-1, 1, (blocks, N_INPUTS)), steps // blocks, axis=0)
    net.start_trial(x0)
    output = net.run_trial(inputs)
    recorded = net.state_monitor.get()
    x, r = ref.trial(x0, inputs, recorded["kick"])
    np.testing.assert_allclose(recorded["x"], x, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(recorded["r"], r, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(output, r[:, net.settings.output], rtol=1e-9, atol=1e-10)
    return recorded["kick"], output


def test_two_trials_and_weight_update_match_reference(setup):
    config, net, ref, rng = setup
    kicks, output = trial(net, ref, rng, blocks=6)  # piecewise constant, like DNMS
    assert np.count_nonzero(kicks) > 20  # the perturbations really were exercised
    assert not kicks[: config.perturb_start].any()  # none before perturb_start

    trace = net.eligibility_trace()
    np.testing.assert_allclose(np.nan_to_num(trace), ref.trace, rtol=1e-9, atol=1e-12)
    assert np.abs(ref.trace).max() > 1e-3

    error, mean_error = 0.7, 1.1
    net.learn(error, mean_error)
    ref.learn(error, mean_error, config.eta, config.max_dw)
    np.testing.assert_allclose(np.nan_to_num(net.recurrent_weights()), ref.w_rec, rtol=1e-12, atol=1e-14)
    assert np.all(np.isnan(net.recurrent_weights()) == ~ref.mask)

    trial(net, ref, rng)  # the second trial runs on the updated weights and x_mean


@pytest.mark.parametrize("density", [0.3, 1.0])
def test_factored_trace_longer_than_its_history(density):
    """A trial longer than the C++ kernel's history (4096 steps) folds it in mid-trial."""
    config = make_config("factored", density)
    rng = np.random.default_rng(12)
    w_in, w_rec = draw_weights(config, N_INPUTS, rng)
    net = cache.build(
        RecordingReservoir, seed=4, w_in=w_in, w_rec=w_rec, config=config, trial_steps=4500
    )
    ref = Reference(w_in, w_rec, net._clamp, config.tau, config.alpha, config.trace_start)
    trial(net, ref, rng, blocks=50)
    np.testing.assert_allclose(np.nan_to_num(net.eligibility_trace()), ref.trace, rtol=1e-9, atol=1e-12)


def test_perturbation_statistics(setup):
    """Kicks occur with probability f * dt and are uniform in (-A, A)."""
    config, net, _, rng = setup
    net.units.f = 30.0
    kicks = []
    for _ in range(20):
        net.start_trial(np.zeros(N))
        net.run_trial(np.zeros((STEPS, N_INPUTS)))
        kicks.append(net.state_monitor.get()["kick"][config.perturb_start :])  # empties x, r too
    net.units.f = config.f
    kicks = np.concatenate(kicks)
    free = np.array([rank not in dict(config.bias_units) for rank in range(N)])
    kicks = kicks[:, free]
    p = 30.0 / 1000.0
    count = np.count_nonzero(kicks)
    assert abs(count - p * kicks.size) < 5 * np.sqrt(kicks.size * p * (1 - p))
    values = kicks[kicks != 0]
    assert np.all(np.abs(values) < config.A)
    # uniform on (-A, A): mean 0 and variance A^2 / 3 within sampling error
    assert abs(values.mean()) < 5 * config.A / np.sqrt(3 * len(values))
    assert abs(values.var() / (config.A**2 / 3) - 1) < 0.25


def test_recurrent_weights_reload(setup):
    """Saved weights load back into a network of the same connectivity, and only into one."""
    _, net, _, rng = setup
    saved = net.recurrent_weights()
    changed = np.where(np.isnan(saved), np.nan, rng.normal(0, 1, saved.shape))
    net.set_recurrent_weights(changed)
    np.testing.assert_array_equal(net.recurrent_weights(), changed)
    missing = changed.copy()
    missing[tuple(np.argwhere(~np.isnan(saved))[0])] = np.nan  # a synapse without a weight
    extra = np.where(np.isnan(saved), 1.0, saved)  # weights where no synapse exists
    for wrong in [missing, extra] if np.isnan(saved).any() else [missing]:
        with pytest.raises(ValueError, match="connectivity"):
            net.set_recurrent_weights(wrong)
    net.set_recurrent_weights(saved)
    np.testing.assert_array_equal(net.recurrent_weights(), saved)


def test_weights_set_from_python_drive_the_next_trial(setup):
    """Weights written from Python reach the weighted sum (the C++ kernel's dense mirror)."""
    config, net, first, rng = setup
    saved = net.recurrent_weights()
    changed = np.where(np.isnan(saved), np.nan, rng.normal(0, 0.5, saved.shape))
    net.set_recurrent_weights(changed)
    ref = Reference(first.w_in, changed, net._clamp, config.tau, config.alpha, config.trace_start)
    ref.x_mean = np.array(net.units.x_mean)
    trial(net, ref, rng, blocks=6)
    net.set_recurrent_weights(saved)


def test_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="kernel must be one of"):
        preset("miconi2017", kernel="numpy")
