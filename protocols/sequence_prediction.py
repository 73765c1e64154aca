"""Train AuGMEnT on sequence prediction with d distractors (weights change once per trial).

    python protocols/sequence_prediction.py --distractors 4 --model standard
    python protocols/sequence_prediction.py --distractors 8 --model leaky --seeds 1-50 --jobs 2

Source: Martinolli et al. (2018) Front. Comput. Neurosci. 12:50: preset martinolli2018 with
3 regular and 4 memory units, 2 actions, lambda 0.15; +1 / -1 at the last step; criterion 100
consecutive correct trials (paper, d = 4: standard about 235 trials, hybrid about 250, leaky
about 390; leaky about 2 500 at d = 8 while the others stay near 250).
"""

import sys

from protocols.running import configs
from protocols.tasks.augment import SequencePrediction

OPTIONS = [
    *configs.AUGMENT_OPTIONS,
    configs.model_option("hybrid"),
    configs.gain_option(10.0),
    ("--distractors", dict(type=int, default=4, help="d, the fixed letters after A or X")),
]
SIZES = {"martinolli2018": dict(n_regular=3, n_memory=4, lam=0.15)}
"""Martinolli's sequence prediction values where they differ from the preset's 12AX values."""


def make_config(args) -> dict:
    task = SequencePrediction(distractors=args.distractors)
    return configs.augment_config("sequence_prediction", task, args, SIZES)


def main(argv=None):
    return configs.augment_command(
        argv, "sequence_prediction", __doc__, make_config, OPTIONS,
        default_preset="martinolli2018", default_trials=20_000,
    )


if __name__ == "__main__":
    sys.exit(main())
