"""Psychometric data of context-dependent integration and the fits that summarise them.

Sources: Miconi T. (2017) eLife 6:e20899, Fig. 4; Mante V. et al. (2013) Nature 503:78 (the
logistic fit of choices against the relevant and the irrelevant evidence).
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

from protocols.learning.node_perturbation import run_trial


def psychometric(net, task, rng, levels, repeats) -> tuple:
    """(p_plus, response)[context, level of modality 1, level of modality 2]: the fraction of
    + choices (mean output over the response window > 0) and the mean of that mean output."""
    net.perturbations(False)
    response = np.zeros((2, len(levels), len(levels), repeats))
    for context in range(2):
        for i, b1 in enumerate(levels):
            for j, b2 in enumerate(levels):
                for k in range(repeats):
                    trial = task.with_biases(task.trial_types[2 * context], (b1, b2), rng)
                    output, _ = run_trial(net, trial, rng)
                    response[context, i, j, k] = np.mean(output[trial.window])
    net.perturbations(True)
    return np.mean(response > 0, axis=-1), np.mean(response, axis=-1)


def slopes(p_plus, levels) -> tuple:
    """Least-squares slopes of P(+) vs the relevant and vs the irrelevant bias (mean of contexts)."""
    levels = np.asarray(levels)
    relevant = [p_plus[0].mean(axis=1), p_plus[1].mean(axis=0)]
    irrelevant = [p_plus[0].mean(axis=0), p_plus[1].mean(axis=1)]
    fit = lambda curves: float(np.mean([np.polyfit(levels, c, 1)[0] for c in curves]))  # noqa: E731
    return fit(relevant), fit(irrelevant)


def logistic_slopes(p_plus, levels, repeats, ridge=1e-3) -> tuple:
    """Coefficients of the relevant and the irrelevant bias in a logistic regression of the
    choices, ``P(+) = 1 / (1 + exp(-(b0 + b_rel * relevant + b_irr * irrelevant)))``, fitted
    per context by scikit-learn (``ridge``: a small L2 penalty on b_rel and b_irr that keeps
    them finite when the choices separate perfectly); mean of the two contexts.

    The usual psychometric fit of context-dependent integration (Mante et al. 2013, Nature
    503:78): unlike a straight line through P(+), it does not flatten a steep, saturating
    curve.
    """
    levels = np.asarray(levels, dtype=float)
    first, second = np.meshgrid(levels, levels, indexing="ij")
    fits = []
    for context, (relevant, irrelevant) in enumerate([(first, second), (second, first)]):
        x = np.stack([relevant.ravel(), irrelevant.ravel()], axis=1)
        plus = p_plus[context].ravel() * repeats  # + choices per bias pair
        model = LogisticRegression(C=1.0 / ridge if ridge else np.inf, tol=1e-12, max_iter=10_000)
        model.fit(np.vstack([x, x]), np.repeat([1, 0], len(x)),
                  sample_weight=np.concatenate([plus, repeats - plus]))
        fits.append(model.coef_[0])
    relevant, irrelevant = np.mean(fits, axis=0)
    return float(relevant), float(irrelevant)
