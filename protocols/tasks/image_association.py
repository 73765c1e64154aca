"""Single-shot image association (H-Mem): store 3 image-digit pairs in one shot each, then
answer the digit paired with a new image's class.

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Single-shot image association" (shared/specs/hmem.md). The
task draws from any :class:`protocols.data.images.Data`.
"""

import dataclasses

import numpy as np

from protocols.data.images import Data
from protocols.tasks import base

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


class AssociationTrial(base.Trial):
    """One sequence played frame by frame: ``frame()`` is the current (image, digit) pair of
    flat arrays (``observation()`` the two concatenated); ``step(action)`` advances, and at
    the query frame, the last, judges the answer (reward 1 if it is the digit class paired
    with the query's image class, else 0). Filler noise is drawn from ``noise`` as each
    filler frame is reached. ``episode`` holds what was drawn."""

    def __init__(self, task, episode: Episode, data: Data, noise):
        super().__init__(task, f"pair{episode.position + 1}")
        self.episode, self.length = episode, task.trial_steps
        self._frames = task.frames(episode, data, noise)
        self._frame = next(self._frames)

    def frame(self) -> tuple:
        return self._frame

    def observation(self) -> np.ndarray:
        return np.concatenate(self._frame)

    def step(self, action) -> float:
        self.steps += 1
        if self.steps < self.length:
            self._frame = next(self._frames)
            return 0.0
        self.done = True
        self.correct = action == self.episode.answer
        self.responses.append(self.correct)
        return float(self.correct)


class ImageAssociation(base.Task):
    """Store 3 image-digit pairs in one shot each; answer the digit of a new image's class.

    One frame per step: each pair (an image of a class beside a digit of another class; the
    3 image classes distinct, the 3 digit classes too, paired at random anew) is followed by
    ``delay`` filler frames (``filler``: uniform noise in [0, 1] in both fields, or blank);
    then the query frame, a new image of one of the 3 classes beside an empty digit field:
    answer the class of the digit paired with that image class (chance 1/3). The timing's
    periods are pair1, delay1, pair2, delay2, pair3, delay3, query; a trial type is the pair
    that the query asks for. Trials draw their images from a :class:`Data` set.
    """

    metadata = {
        "paper": "Limbacher & Legenstein (2020) NeurIPS 33, single-shot image association",
        "tags": ["working memory", "one-shot", "association", "images"],
    }
    timing = {"pair1": 1, "delay1": 0, "pair2": 1, "delay2": 0, "pair3": 1, "delay3": 0, "query": 1}
    inputs = ("image", "digit")
    outputs = tuple(str(c) for c in range(10))
    trial_types = tuple(f"pair{k + 1}" for k in range(PAIRS))
    _options = ("delay", "filler")

    def __init__(self, delay=0, filler="noise"):
        if int(delay) != delay or delay < 0:
            raise ValueError(f"--delay must be a whole number of frames >= 0, got {delay}.")
        if filler not in FILLERS:
            raise ValueError(f"unknown filler {filler!r}; choose one of {list(FILLERS)}.")
        self.delay, self.filler = int(delay), filler
        super().__init__({f"delay{k + 1}": self.delay for k in range(PAIRS)})

    def options(self) -> dict:
        return {"delay": self.delay, "filler": self.filler}

    def new_trial(self, rng, trial_type=None, *, data: Data, noise=None) -> AssociationTrial:
        """A sequence drawn from ``data`` with ``rng`` (the queried pair too, unless
        ``trial_type`` names it); filler noise from ``noise`` (default ``rng``)."""
        if trial_type is not None and trial_type not in self.trial_types:
            raise ValueError(f"unknown trial type {trial_type!r}; one of {self.trial_types}.")
        position = None if trial_type is None else self.trial_types.index(trial_type)
        return AssociationTrial(self, self.episode(data, rng, position), data, rng if noise is None else noise)

    def episode(self, data: Data, rng, position=None) -> Episode:
        """What a sequence shows and asks, drawn with ``rng``."""
        image_classes = rng.choice(len(data.image_index), PAIRS, replace=False)
        digit_classes = rng.choice(len(data.image_index), PAIRS, replace=False)
        position = int(rng.integers(PAIRS)) if position is None else position
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
