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


def logistic_slopes(p_plus, levels, repeats, ridge=1e-3, iterations=50) -> tuple:
    """Coefficients of the relevant and the irrelevant bias in a logistic regression of the
    choices, ``P(+) = 1 / (1 + exp(-(b0 + b_rel * relevant + b_irr * irrelevant)))``, fitted
    per context by Newton's method (``ridge``: a small L2 penalty on b_rel and b_irr that
    keeps them finite when the choices separate perfectly); mean of the two contexts.

    The usual psychometric fit of context-dependent integration (Mante et al. 2013, Nature
    503:78): unlike a straight line through P(+), it does not flatten a steep, saturating
    curve.
    """
    levels = np.asarray(levels, dtype=float)
    first, second = np.meshgrid(levels, levels, indexing="ij")
    fits = []
    for context, (relevant, irrelevant) in enumerate([(first, second), (second, first)]):
        x = np.stack([np.ones(relevant.size), relevant.ravel(), irrelevant.ravel()], axis=1)
        successes = p_plus[context].ravel() * repeats
        penalty = ridge * np.diag([0.0, 1.0, 1.0])
        b = np.zeros(3)
        for _ in range(iterations):
            p = 1.0 / (1.0 + np.exp(-x @ b))
            gradient = x.T @ (successes - repeats * p) - penalty @ b
            hessian = (x * (repeats * p * (1 - p))[:, None]).T @ x + penalty
            b += np.linalg.solve(hessian, gradient)
        fits.append(b[1:])
    relevant, irrelevant = np.mean(fits, axis=0)
    return float(relevant), float(irrelevant)


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train one network with ``seed``; test its psychometric curves; write ``out``."""
    levels, repeats = config["psychometric"]["levels"], config["psychometric"]["repeats"]

    def evaluate(net, task, rng, folder):
        p_plus = psychometric(net, task, rng, levels, repeats)
        np.savez_compressed(folder / "psychometric.npz", levels=np.array(levels), p_plus=p_plus)
        relevant, irrelevant = slopes(p_plus, levels)
        logit_relevant, logit_irrelevant = logistic_slopes(p_plus, levels, repeats)
        return {"slope_relevant": relevant, "slope_irrelevant": irrelevant,
                "logit_relevant": logit_relevant, "logit_irrelevant": logit_irrelevant}

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
