"""Train Miconi's reservoir on delayed non-match-to-sample (DNMS).

    python protocols/dnms.py                      # one run, preset miconi2017, seed 1
    python protocols/dnms.py --seeds 1-20 --jobs 2 --out results/dnms-20

Source: Miconi T. (2017) eLife 6:e20899, Fig. 1. Criterion: 95 % of 100 successive trials with
error < 1 (paper: median 843 trials, IQR 692-1125, over 20 runs).
"""

import sys

from networks.reservoir import PRESETS
from protocols.learning import node_perturbation
from protocols.running import configs, runner
from protocols.tasks.miconi import DNMS


def make_config(args) -> dict:
    return configs.reservoir_config("dnms", DNMS(), args)


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train one network on DNMS with ``seed``; write its results folder ``out``."""
    return node_perturbation.run(config, seed, out, DNMS(**config["task"]), progress)


def main(argv=None):
    return runner.main(
        argv,
        description=__doc__.split("\n")[0],
        presets=PRESETS,
        default_trials=3000,
        default_out="results/dnms",
        make_config=make_config,
        run=run,
        extra_options=configs.RESERVOIR_OPTIONS,
    )


if __name__ == "__main__":
    sys.exit(main())
