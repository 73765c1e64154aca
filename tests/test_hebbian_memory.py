"""The ANNarchy H-Mem memory and an independent numpy reference agree write by write.

One structure (m = 8) is compiled once; the rule's values and read-before-write are runtime
values, so the other networks are copies of the first build.
"""

import numpy as np
import pytest

from networks import cache
from networks.hebbian_memory import HebbianMemoryNetwork
from tests.reference_hebbian_memory import Reference

M = 8
RULE = dict(gamma_pos=0.2, gamma_neg=0.15, w_max=1.5)  # larger than the paper's: visible effects


def one_hot(index):
    return np.eye(M)[index]


@pytest.mark.parametrize("read_before_write", [False, True])
def test_random_writes_and_reads_match_reference(read_before_write):
    net = cache.build(
        HebbianMemoryNetwork, seed=1, m=M, read_before_write=read_before_write, **RULE
    )
    ref = Reference(M, read_before_write=read_before_write, **RULE)
    rng = np.random.default_rng(5 + read_before_write)
    keys = rng.uniform(0.0, 1.0, (4, M)) * (rng.random((4, M)) < 0.6)
    # key 0 is written three times with different values: it is overwritten
    order = [0, 1, 2, 0, 3, 0, 1]
    net.erase()
    start = net.current_step
    for n, index in enumerate(order):
        value = rng.uniform(0.0, 1.0, M)
        net.write(keys[index], value)
        ref.write(keys[index], value)
        np.testing.assert_allclose(net.weights(), ref.M, rtol=1e-10, atol=1e-13)
        probe = keys[rng.integers(4)]
        np.testing.assert_allclose(net.read(probe), ref.read(probe), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(net.weights(), ref.M, rtol=1e-10, atol=1e-13)  # read-only
    assert net.current_step - start == 2 * len(order)  # one step per write and per read
    assert np.abs(ref.M).max() > 0.1  # the rule really moved the weights
    if read_before_write:
        assert (ref.M < 0).any()  # v - M k stored negative parts: the variant was exercised


def test_one_hot_pairs_are_recalled_and_erase_empties():
    net = cache.build(HebbianMemoryNetwork, seed=2, m=M)  # the paper's gamma and w_max
    net.erase()
    pairs = {0: 5, 3: 1, 6: 7}
    for key, value in pairs.items():
        net.write(one_hot(key), one_hot(value))
    for key, value in pairs.items():
        recalled = net.read(one_hot(key))
        assert np.argmax(recalled) == value
        assert recalled[value] == pytest.approx(0.01)
    net.write(one_hot(0), one_hot(2))  # overwriting a key: the new value wins
    assert np.argmax(net.read(one_hot(0))) == 2

    start = net.current_step
    net.erase()
    assert net.current_step - start == 1
    assert not net.weights().any()
    for key in pairs:
        assert not net.read(one_hot(key)).any()


def test_wrong_shape_is_rejected():
    net = cache.build(HebbianMemoryNetwork, seed=3, m=M)
    with pytest.raises(ValueError, match="key must be a vector of length 8"):
        net.write(np.ones(M + 1), np.ones(M))
