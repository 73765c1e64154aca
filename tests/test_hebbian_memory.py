"""The ANNarchy H-Mem memory and an independent numpy reference agree write by write.

One structure (m = 8) is compiled once; the rule's values and read-before-write are runtime
values, so the other networks are copies of the first build. The memory of the network that
the image-association protocol runs is checked the same way, in place.
"""

import numpy as np
import pytest

from networks import cache
from networks.hebbian_memory import HebbianMemoryNetwork
from networks.image_association import N_CLASSES, HebbianImageNetwork, sparse_expansion
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


def test_the_image_association_network_writes_as_the_reference():
    """The memory inside the network that the image-association protocol runs, step by step
    against the reference: random frames through random encoders, writes gated by the gate
    unit, a key reused with new values (forgetting and the soft bound act), and the erase at
    the start of a sequence. Each step writes that step's key and value rates when its write
    flag (set from the gate after the previous step) is on."""
    rng = np.random.default_rng(9)
    m, image_size, digit_size = 200, 784, 64  # the protocol's sizes: its compiled build
    net = cache.build(HebbianImageNetwork, seed=4, image_size=image_size, digit_size=digit_size,
                      key_weights=sparse_expansion(m, rng), value_weights=sparse_expansion(m, rng), **RULE)
    net.load_encoders({
        "image_class": [rng.uniform(0, 0.01, (N_CLASSES, image_size)), np.zeros((N_CLASSES, 1))],
        "digit_class": [rng.uniform(0, 0.1, (N_CLASSES, digit_size)), np.zeros((N_CLASSES, 1))],
        "gate": [np.zeros((1, image_size)), np.full((1, digit_size), 0.1), np.zeros((1, 1))],
    })
    ref = Reference(m, read_before_write=False, **RULE)
    images = rng.random((2, image_size))
    blank = np.zeros(digit_size)
    # image 0 comes back with new digits: its key is overwritten; blank digits keep the gate shut
    frames = [(0, True), (0, False), (1, True), (0, True), (0, True), (1, False), (0, True), (0, True)]
    previous, forgot, writes = np.zeros((m, m)), False, 0
    for sequence in range(2):
        net.start_sequence()
        for image, lit in frames:
            erasing, writing = net._erasing, net._writing
            net.show(images[image], rng.random(digit_size) if lit else blank)
            if erasing:
                ref.reset()
            elif writing:
                ref.write(np.array(net.keys.r), np.array(net.values.r))
                writes += 1
            weights = net.memory_weights()
            np.testing.assert_allclose(weights, ref.M, rtol=1e-10, atol=1e-13)
            forgot |= bool(np.any(weights < previous - 1e-12))
            previous = weights
    assert writes >= 8 and forgot  # writes happened, and forgetting lowered weights
    assert ref.M.max() > 0.5 * RULE["w_max"]  # near the soft bound
