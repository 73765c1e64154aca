"""The initial weights that the networks hold after building, against their stated
distributions: scale, density, self-connections, which units get input. The reference tests
receive the implementation's own draws, so this is where the draws themselves are checked."""

import numpy as np
import pytest
from scipy import stats

from networks.augment import PRESETS as AUGMENT_PRESETS
from networks.image_association import N_CLASSES, reservoir_weights, sparse_expansion
from networks.reservoir import preset
from protocols.learning import augment as td
from protocols.learning import node_perturbation
from protocols.tasks.augment import Saccade, TwelveAX
from protocols.tasks.miconi import DNMS

N = 200
P_VALUE = 1e-3  # a stated distribution is rejected below this Kolmogorov-Smirnov p-value


def _input_weights(net) -> np.ndarray:
    """The input projection of a reservoir as [post, input], NaN where no synapse."""
    dense = np.full((N, net.input_proj.pre.size), np.nan)
    for post, pre, values in zip(net.input_proj.post_ranks, net.input_proj.pre_ranks, net.input_proj.w):
        dense[post, pre] = values
    return dense


@pytest.mark.parametrize("name", ["miconi2017", "notebook"])
def test_reservoir_weights_follow_their_stated_distributions(name):
    config = preset(name)
    net = node_perturbation.build_network(config, DNMS(), seed=21)
    w_rec, w_in = net.recurrent_weights(), _input_weights(net)
    present = ~np.isnan(w_rec)
    p = config.density
    # density p (within 4 standard errors), self-connections only where the preset has them
    n_possible = N * N if config.self_connections else N * (N - 1)
    assert abs(present.sum() - p * n_possible) < 4 * np.sqrt(n_possible * p * (1 - p)) + 1e-9
    assert np.all(np.diag(present)) if config.self_connections else not np.any(np.diag(present))
    # N(0, g^2 / (p N))
    scale = config.g / np.sqrt(p * N)
    assert stats.kstest(w_rec[present] / scale, "norm").pvalue > P_VALUE
    # inputs U(-1, 1) on every unit, except the output unit where the preset says so
    has_input = ~np.isnan(w_in).all(axis=1)
    expected = np.ones(N, bool)
    expected[config.output] = config.output_gets_input
    np.testing.assert_array_equal(has_input, expected)
    assert not np.isnan(w_in[has_input]).any()
    assert stats.kstest(w_in[has_input].ravel(), "uniform", args=(-1, 2)).pvalue > P_VALUE
    # a seed fixes the draw; another seed draws anew
    again = node_perturbation.build_network(config, DNMS(), seed=21).recurrent_weights()
    np.testing.assert_array_equal(again, w_rec)
    other = node_perturbation.build_network(config, DNMS(), seed=22).recurrent_weights()
    assert not np.array_equal(np.isnan(other), np.isnan(w_rec)) or p == 1.0
    assert not np.allclose(np.nan_to_num(other), np.nan_to_num(w_rec))


@pytest.mark.parametrize("name, task", [("rombouts2015", Saccade), ("martinolli2018", TwelveAX)])
def test_augment_weights_follow_their_stated_distributions(name, task):
    """(Each with a task whose network the other tests build too: no extra compile.)"""
    settings = AUGMENT_PRESETS[name]
    task = task()
    net = td.build_network(settings, task, seed=5)
    weights = net.weights()
    c = settings.init_range
    r, m, a, n = settings.n_regular, settings.n_memory, settings.n_actions, len(task.inputs)
    shapes = dict(v_r=(r, n), v_m=(m, 2 * n), w_r=(a, r), w_m=(a, m))
    for key, shape in shapes.items():
        assert weights[key].shape == shape, key
    pooled = np.concatenate([weights[key].ravel() for key in shapes])
    assert stats.kstest(pooled, "uniform", args=(-c, 2 * c)).pvalue > P_VALUE
    symmetric = settings.feedback == "symmetric"
    for feedback, forward in (("fb_r", "w_r"), ("fb_m", "w_m")):
        same = np.array_equal(weights[feedback], weights[forward].T)
        assert same == symmetric, feedback
        assert np.all(np.abs(weights[feedback]) <= c)


def test_image_association_expansions_and_reservoir():
    rng = np.random.default_rng(8)
    keys = sparse_expansion(200, rng, density=0.1)
    assert set(np.unique(keys)) == {0.0, 1.0}
    assert abs(keys.mean() - 0.1) < 4 * np.sqrt(0.1 * 0.9 / keys.size)
    assert np.all(keys.sum(axis=0) >= 1)  # every class drives a unit
    sparse = sparse_expansion(200, rng, density=0.001)
    assert np.all(sparse.sum(axis=0) >= 1)  # also when the density alone would leave one silent
    w_in, w_rec = reservoir_weights(400, rng, spectral_radius=0.9, input_scale=1.0)
    assert w_in.shape == (400, 2 * N_CLASSES + 1) and np.abs(w_in).max() <= 1.0
    assert stats.kstest(w_in.ravel(), "uniform", args=(-1, 2)).pvalue > P_VALUE
    radius = np.abs(np.linalg.eigvals(w_rec)).max()
    assert radius == pytest.approx(0.9, rel=0.1)
