"""An independent, loop-by-loop numpy sequentiality index (shared/specs/orhan.md), for tests.

Written unit by unit from the spec's text, with the same guard as the library's
(log ratio clipped to +/- log 1000)."""

import math

import numpy as np


def reference_si(trials, threshold=0.1, bins=20, cap=1000.0):
    """Mean SI, mean entropy, mean log ridge-to-background over trials (trials x steps x units)."""
    si, entropies, ratios = [], [], []
    for trial in trials:
        steps = len(trial)
        units = [trial[:, j] for j in range(trial.shape[1]) if sum(trial[:, j]) / steps > threshold]
        if not units:
            continue
        peaks = [int(np.argmax(u)) for u in units]
        lo, hi = min(peaks), max(peaks)
        counts = [0.0] * bins
        for p in peaks:
            if hi == lo:  # one peak time: numpy's histogram puts it in the middle bin
                counts[bins // 2] += 1
            else:
                counts[min(int((p - lo) / (hi - lo) * bins), bins - 1)] += 1
        total = sum(c + 0.1 for c in counts)
        entropy = -sum((c + 0.1) / total * math.log((c + 0.1) / total) for c in counts)
        logs = []
        for u, p in zip(units, peaks):
            first, last = min(max(p - 2, 0), steps - 1), min(max(p + 2, 0), steps - 1)
            ridge = [u[t] for t in range(first, last)]
            rest = [u[t] for t in range(steps) if not first <= t < last]
            if sum(rest) == 0:
                r = math.inf
            elif sum(ridge) == 0:
                r = -math.inf
            else:
                r = math.log(sum(ridge) / len(ridge)) - math.log(sum(rest) / len(rest))
            logs.append(max(-math.log(cap), min(math.log(cap), r)))
        entropies.append(entropy)
        ratios.append(sum(logs) / len(logs))
        si.append(entropy + ratios[-1])
    return np.mean(si), np.mean(entropies), np.mean(ratios)
