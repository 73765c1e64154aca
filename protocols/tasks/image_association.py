"""Single-shot image association (H-Mem): store 3 image-digit pairs in one shot each, then
answer the digit paired with a new image's class.

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Single-shot image association" (shared/specs/hmem.md). The
task draws from any :class:`protocols.data.images.Data`.
"""

import dataclasses

import numpy as np

from protocols.data.images import Data

FILLERS = ("noise", "blank")
PAIRS = 3
FRAME_KINDS = ("pair", "filler", "query")
FRAME_MIX = (0.5, 0.25, 0.25)  # how often each kind appears among the encoder-training frames


@dataclasses.dataclass
class Episode:
    """One sequence: indices of the stored images and digits, the query image, the queried
    pair and the answer (its digit's class)."""

    images: np.ndarray
    digits: np.ndarray
    query: int
    position: int
    answer: int


class ImageAssociation:
    """Store 3 image-digit pairs in one shot each; answer the digit of a new image's class.

    ``timing``: one frame per step; each pair is followed by ``delay`` filler frames
    (``filler``: uniform noise in [0, 1] in both fields, or blank), then the query frame (a
    new image of a stored class, an empty digit field) is held until the answer.
    """

    metadata = {
        "paper": "Limbacher & Legenstein (2020) NeurIPS 33, single-shot image association",
        "tags": ["working memory", "one-shot", "association", "images"],
    }

    def __init__(self, delay=0, filler="noise"):
        if int(delay) != delay or delay < 0:
            raise ValueError(f"--delay must be a whole number of frames >= 0, got {delay}.")
        if filler not in FILLERS:
            raise ValueError(f"unknown filler {filler!r}; choose one of {list(FILLERS)}.")
        self.delay, self.filler = int(delay), filler

    def options(self) -> dict:
        return {"delay": self.delay, "filler": self.filler}

    def episode(self, data: Data, rng) -> Episode:
        image_classes = rng.choice(len(data.image_index), PAIRS, replace=False)
        digit_classes = rng.choice(len(data.image_index), PAIRS, replace=False)
        position = int(rng.integers(PAIRS))
        chosen = [rng.choice(data.image_index[c], 2, replace=False) for c in image_classes]
        return Episode(
            images=np.array([pair[0] for pair in chosen]),
            digits=np.array([rng.choice(data.digit_index[c]) for c in digit_classes]),
            query=int(chosen[position][1]),
            position=position,
            answer=int(digit_classes[position]),
        )

    def fill(self, data: Data, rng) -> tuple:
        """One filler frame (image field, digit field)."""
        shapes = (data.images.shape[1], data.digits.shape[1])
        if self.filler == "noise":
            return tuple(rng.random(n) for n in shapes)
        return tuple(np.zeros(n) for n in shapes)

    def frames(self, episode: Episode, data: Data, rng):
        """The frames of ``episode`` in order, as (image, digit) pairs of flat arrays."""
        for image, digit in zip(episode.images, episode.digits):
            yield data.images[image], data.digits[digit]
            for _ in range(self.delay):
                yield self.fill(data, rng)
        yield data.images[episode.query], np.zeros(data.digits.shape[1])

    def encoder_frame(self, data: Data, rng) -> tuple:
        """A random frame for encoder training: (image, digit, image class or None,
        digit class or None, gate target)."""
        kind = FRAME_KINDS[rng.choice(len(FRAME_KINDS), p=FRAME_MIX)]
        if kind == "filler":
            return (*self.fill(data, rng), None, None, 0.0)
        i = int(rng.integers(len(data.images)))
        if kind == "query":
            return data.images[i], np.zeros(data.digits.shape[1]), data.image_labels[i], None, 0.0
        d = int(rng.integers(len(data.digits)))
        return data.images[i], data.digits[d], data.image_labels[i], data.digit_labels[d], 1.0
