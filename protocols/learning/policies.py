"""Action selection for AuGMEnT: a seeded policy maps the Q values of a step to an action.

Sources: Rombouts J.O., Bohte S.M., Roelfsema P.R. (2015) PLoS Comput Biol 11(3):e1004060
(Max-Boltzmann); Martinolli M., Gerstner W., Gilra A. (2018) Front. Comput. Neurosci. 12:50
(gain and eps annealing, and the other policies of their comparison). With t the trial index:

    max-boltzmann: argmax q (ties at random) with prob. 1 - eps(t), else a ~ softmax(g(t) q)
    softmax:       a ~ softmax(g(t) q)
    greedy:        argmax q (ties at random)
    eps-greedy:    argmax q with prob. 1 - eps(t), else a uniform action
    g(t)   = 1 + (m / pi) arctan(t / 2000)        (m = ``gain_annealing``; 0: g = 1)
    eps(t) = eps (1 - (2 / pi) arctan(t / 2000))   (with ``eps_annealing``; else eps)
"""

import math

import numpy as np

POLICIES = ("max-boltzmann", "softmax", "greedy", "eps-greedy")
ANNEALING_SCALE = 2000.0  # trials


class Policy:
    """A callable ``q -> action index``; call :meth:`set_trial` at each trial's start.

    :param kind: one of :data:`POLICIES`.
    :param rng: a ``numpy.random.Generator``, the only source of randomness.
    :param eps: exploration rate (Max-Boltzmann, eps-greedy), 0.025 in both papers.
    :param gain_annealing: m of g(t); 0 keeps the softmax gain at 1 (Martinolli: 10).
    :param eps_annealing: whether eps decays with the trial index.
    """

    def __init__(self, kind, rng, eps=0.025, gain_annealing=0.0, eps_annealing=False):
        if kind not in POLICIES:
            raise ValueError(f"unknown policy {kind!r}; choose one of {list(POLICIES)}.")
        if not 0.0 <= eps <= 1.0:
            raise ValueError(f"eps must be in [0, 1], got {eps}.")
        self.kind, self.rng = kind, rng
        self.eps0, self.gain_annealing, self.eps_annealing = eps, gain_annealing, eps_annealing
        self.set_trial(0)

    def set_trial(self, t: int):
        """Set g(t) and eps(t) for trial ``t``."""
        angle = math.atan(t / ANNEALING_SCALE)
        self.gain = 1.0 + self.gain_annealing / math.pi * angle
        self.eps = self.eps0 * (1.0 - 2.0 / math.pi * angle) if self.eps_annealing else self.eps0

    def __call__(self, q) -> int:
        if not np.isfinite(q).all():
            raise FloatingPointError(f"Q values {q} are not finite: the network diverged.")
        explore = self.kind == "softmax" or (
            self.kind != "greedy" and self.rng.random() < self.eps
        )
        if not explore:
            return argmax(q, self.rng)
        if self.kind == "eps-greedy":
            return int(self.rng.integers(len(q)))
        return softmax_sample(q, self.gain, self.rng)


def argmax(q, rng) -> int:
    """Index of the largest value, ties broken uniformly at random (plain Python: q holds
    a handful of actions, where numpy's per-call overhead dominates)."""
    values = q.tolist()
    top = max(values)
    best = [k for k, v in enumerate(values) if v == top]
    return best[0] if len(best) == 1 else best[int(rng.integers(len(best)))]


def softmax_sample(q, gain, rng) -> int:
    """An index drawn with probability exp(gain q_k) / sum_j exp(gain q_j)."""
    p = np.exp(gain * (q - q.max()))
    cumulative = np.cumsum(p)
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
