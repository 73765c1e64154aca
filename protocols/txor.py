"""Train AuGMEnT on temporal XOR (tXOR): answer R iff (1, A) or (2, B), after a blank step.

    python protocols/txor.py --model hybrid --seeds 1-20 --out results/txor

Source: Martinolli et al. (2018) Front. Comput. Neurosci. 12:50. Network as for sequence
prediction (preset martinolli2018 with 3 regular and 4 memory units, 2 actions); +1 / -1 at the
answer; criterion 100 consecutive correct trials.
"""

import sys

from protocols.running import configs
from protocols.tasks.augment import TemporalXOR
from protocols.sequence_prediction import SIZES

OPTIONS = [
    *configs.AUGMENT_OPTIONS,
    configs.model_option("hybrid"),
    configs.gain_option(10.0),
]


def make_config(args) -> dict:
    return configs.augment_config("txor", TemporalXOR(), args, SIZES)


def main(argv=None):
    return configs.augment_command(
        argv, "txor", __doc__, make_config, OPTIONS,
        default_preset="martinolli2018", default_trials=20_000,
    )


if __name__ == "__main__":
    sys.exit(main())
