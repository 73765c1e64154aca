"""Train AuGMEnT (standard, leaky or hybrid memory) on 12AX and its variants.

    python protocols/twelve_ax.py --model hybrid                  # one run, seed 1
    python protocols/twelve_ax.py --model leaky --seeds 1-20 --jobs 2 --out results/12ax-leaky

Source: Martinolli et al. (2018) Front. Comput. Neurosci. 12:50: preset martinolli2018 (10
regular, 20 memory units), Max-Boltzmann with annealed gain (m = 10), +0.1 / -1 per step, runs
capped at 100 000 trials; criterion 1000 consecutive correct responses (paper: hybrid 60/60,
31 132 +/- 9 836 trials; leaky 100 %; standard 0/10).
"""

import sys

from protocols.running import configs
from protocols.tasks.augment import TwelveAX

OPTIONS = [
    *configs.AUGMENT_OPTIONS,
    configs.model_option("hybrid"),
    configs.gain_option(10.0),
    ("--variant", dict(default="12ax", help=f"one of {list(TwelveAX.VARIANTS)}")),
    ("--no-reset", dict(action="store_true",
                        help="keep memory, traces and tags across trials (one endless sequence)")),
    ("--clear-input", dict(action="store_true",
                           help="x(t-1) is zero at a trial's first step (default: the previous "
                           "trial's last symbol, one stream as in Martinolli's code)")),
]


def make_config(args) -> dict:
    task = TwelveAX(variant=args.variant, reset=not args.no_reset,
                    continuous_input=not args.clear_input)
    return configs.augment_config("twelve_ax", task, args)


def main(argv=None):
    return configs.augment_command(
        argv, "twelve_ax", __doc__, make_config, OPTIONS,
        default_preset="martinolli2018", default_trials=100_000,
    )


if __name__ == "__main__":
    sys.exit(main())
