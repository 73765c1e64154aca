"""Convergence criteria of the papers.

Sources: Miconi T. (2017) eLife 6:e20899, Fig. 1 (95 % of 100 successive trials with error
< 1); Martinolli et al. (2018) Front. Comput. Neurosci. 12:50 (streaks of correct responses or
trials); Rombouts et al. (2015) PLoS Comput Biol 11(3):e1004060 (90 % of the last 50 trials of
each type).
"""

import numpy as np


def trials_to_criterion(errors, window=100, fraction=0.95, threshold=1.0):
    """First trial count at which ``fraction`` of the last ``window`` errors are < threshold.

    Miconi's criterion (Fig. 1): 95 % of 100 successive trials with error < 1. None if never.
    """
    good = np.asarray(errors) < threshold
    if len(good) < window:
        return None
    counts = np.convolve(good, np.ones(window, dtype=int), mode="valid")
    reached = np.flatnonzero(counts >= fraction * window)
    return int(reached[0] + window) if len(reached) else None


class Streak:
    """Criterion met once ``length`` consecutive judged responses (``per="response"``) or
    trials (``per="trial"``) are correct."""

    def __init__(self, length, per):
        self.length, self.per, self.count = length, per, 0

    def update(self, trial) -> bool:
        for right in trial.responses if self.per == "response" else [trial.correct]:
            self.count = self.count + 1 if right else 0
        return self.count >= self.length


class PerTypeWindow:
    """Criterion met once each trial type has ``window`` trials and ``fraction`` of its last
    ``window`` trials are correct."""

    def __init__(self, trial_types, window=50, fraction=0.9):
        self.window, self.fraction = window, fraction
        self.history = {name: [] for name in trial_types}

    def update(self, trial) -> bool:
        mine = self.history[trial.trial_type]
        mine.append(trial.correct)
        del mine[: -self.window]
        return all(
            len(h) == self.window and sum(h) >= self.fraction * self.window
            for h in self.history.values()
        )
