"""Train AuGMEnT on the saccade/antisaccade task (Rombouts et al. 2015).

    python protocols/saccade.py                                   # one run, seed 1
    python protocols/saccade.py --seeds 1-100 --jobs 2 --out results/saccade-100
    python protocols/saccade.py --no-shaping --seeds 1-100 --out results/saccade-noshaping

Source: Rombouts J.O., Bohte S.M., Roelfsema P.R. (2015) PLoS Comput Biol 11(3):e1004060:
standard AuGMEnT (non-leaky memory, the default --model), preset rombouts2015 (3 regular, 4
memory units, 3 actions), Max-Boltzmann eps = 0.025, 0.2 for fixating and 1.5 for the correct
saccade, runs capped at 25 000 trials; criterion >= 90 % correct over the last 50 trials of
each type, then all four types correct with learning and exploration off (paper: 99.45 % of
networks, median about 4 100 trials; 76.4 % without shaping).
"""

import sys

from protocols.running import configs
from protocols.tasks.augment import Saccade

OPTIONS = [
    *configs.AUGMENT_OPTIONS,
    configs.model_option("standard"),
    configs.gain_option(0.0),
    ("--no-shaping", dict(action="store_true", help="no 0.2 reward for fixating")),
    ("--loose", dict(action="store_true",
                     help="Martinolli's variant: actions during cue and delay are not punished")),
]
SIZES = {"martinolli2018": dict(n_regular=3, n_memory=4, lam=0.2)}
"""Martinolli's saccade values where they differ from the preset's 12AX values."""


def make_config(args) -> dict:
    task = Saccade(shaping=not args.no_shaping, strict=not args.loose)
    return configs.augment_config("saccade", task, args, SIZES)


def main(argv=None):
    return configs.augment_command(
        argv, "saccade", __doc__, make_config, OPTIONS,
        default_preset="rombouts2015", default_trials=25_000,
    )


if __name__ == "__main__":
    sys.exit(main())
