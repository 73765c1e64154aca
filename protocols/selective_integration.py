"""Train Miconi's reservoir on context-dependent selective integration.

    python protocols/selective_integration.py --trials 20000
    python protocols/selective_integration.py --seeds 1-10 --jobs 2 --out results/si-10

Source: Miconi T. (2017) eLife 6:e20899, Fig. 4 (after Mante et al. 2013); original values
eta = 0.01, max_dw = 2e-4, A = 30. After training, psychometric data: the fraction of + choices
for every pair of modality biases in each context, with perturbations off.
"""

import sys

import numpy as np

from networks.reservoir import PRESETS
from protocols import reservoir_training, runner
from protocols.tasks import SelectiveIntegration

TASK_VALUES = {"eta": 0.01, "max_dw": 2e-4, "A": 30.0}
LEVELS = (-0.5, -0.25, -0.1, 0.0, 0.1, 0.25, 0.5)


def make_config(args) -> dict:
    config = reservoir_training.make_config(
        "selective_integration", SelectiveIntegration(), args, **TASK_VALUES
    )
    config["psychometric"] = {"levels": list(LEVELS), "repeats": args.repeats}
    return config


def psychometric(net, task, rng, levels, repeats) -> np.ndarray:
    """p_plus[context, level of modality 1, level of modality 2]: fraction of + choices."""
    net.perturbations(False)
    p_plus = np.zeros((2, len(levels), len(levels)))
    for context in range(2):
        for i, b1 in enumerate(levels):
            for j, b2 in enumerate(levels):
                for _ in range(repeats):
                    trial = task.trial(2 * context, rng, biases=(b1, b2))
                    output, _ = reservoir_training.run_trial(net, trial, rng)
                    p_plus[context, i, j] += np.mean(output[trial.window]) > 0
    net.perturbations(True)
    return p_plus / repeats


def slopes(p_plus, levels) -> tuple:
    """Least-squares slopes of P(+) vs the relevant and vs the irrelevant bias (mean of contexts)."""
    levels = np.asarray(levels)
    relevant = [p_plus[0].mean(axis=1), p_plus[1].mean(axis=0)]
    irrelevant = [p_plus[0].mean(axis=0), p_plus[1].mean(axis=1)]
    fit = lambda curves: float(np.mean([np.polyfit(levels, c, 1)[0] for c in curves]))  # noqa: E731
    return fit(relevant), fit(irrelevant)


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train one network with ``seed``; test its psychometric curves; write ``out``."""
    levels, repeats = config["psychometric"]["levels"], config["psychometric"]["repeats"]

    def evaluate(net, task, rng, folder):
        p_plus = psychometric(net, task, rng, levels, repeats)
        np.savez_compressed(folder / "psychometric.npz", levels=np.array(levels), p_plus=p_plus)
        relevant, irrelevant = slopes(p_plus, levels)
        return {"slope_relevant": relevant, "slope_irrelevant": irrelevant}

    task = SelectiveIntegration(**config["task"])
    return reservoir_training.run(config, seed, out, task, progress, evaluate)


def main(argv=None):
    return runner.main(
        argv,
        description=__doc__.split("\n")[0],
        presets=PRESETS,
        default_trials=20000,
        default_out="results/selective_integration",
        make_config=make_config,
        run=run,
        extra_options=reservoir_training.OPTIONS + [
            ("--repeats", dict(type=int, default=10, help="test trials per bias pair")),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
