"""Performance against an ideal observer: the fractional losses of Orhan & Ma (2019).

Source: Orhan & Ma (2019) Nat. Neurosci. 22:275-283 and ``utils.build_performance`` of their
code (shared/specs/orhan.md, "Performance and inclusion"). Each function takes arrays over
trials (and outputs) and returns a dict of named values; ``fractional_loss`` is the one that
decides inclusion (below 0.5).

* Estimation: (E_net - E_opt) / E_opt with E the mean error of an estimate. The code's error
  is mod(|s - y|, pi), which is not a distance on the circle of orientations (an answer
  near pi for s near 0 counts as almost pi off, though it is close); the proper circular error is
  min(d, pi - d) with d = mod(|s - y|, pi). Both are reported; ``fractional_loss`` is the code's.
* Binary decisions: mean KL(P_opt || P_net) / mean KL(P_opt || 1/2), the information lost by
  the network relative to answering 1/2 always. P_net is clipped to [1e-6, 1 - 1e-6] as in
  the code's loss. Terms use 0 log 0 = 0 (the code gets NaN there and drops those trials,
  e.g. the many 2AFC trials whose P_opt is exactly 0 or 1 in floating point); trials whose
  P_opt is undefined (a comparison with no spikes) are left out.
* Sine (the code's measure cannot run): the mean absolute error over the response period
  relative to that of the best constant answer, the waveform's mean; 0 is perfect, 1 no
  better than a constant.
"""

import numpy as np
from scipy.special import xlogy

CLIP = 1e-6


def _errors(s, y):
    """The code's error mod(|s - y|, pi) and the proper circular error on [0, pi)."""
    d = np.mod(np.abs(np.asarray(s, dtype=float) - np.asarray(y, dtype=float)), np.pi)
    return d, np.minimum(d, np.pi - d)


def estimation_loss(stimulus, ideal, answers) -> dict:
    """Fractional losses of orientation estimates ``answers`` against the ideal ``ideal``,
    both judged against the true ``stimulus`` (arrays of one shape: trials x outputs)."""
    net_mod, net_circ = _errors(stimulus, answers)
    opt_mod, opt_circ = _errors(stimulus, ideal)
    e = {"mean_error": np.nanmean(net_mod), "mean_error_circular": np.nanmean(net_circ),
         "ideal_error": np.nanmean(opt_mod), "ideal_error_circular": np.nanmean(opt_circ)}
    return {
        "fractional_loss": (e["mean_error"] - e["ideal_error"]) / e["ideal_error"],
        "fractional_loss_circular": (e["mean_error_circular"] - e["ideal_error_circular"]) / e["ideal_error_circular"],
        **e,
    }


def kl_bernoulli(p, q) -> np.ndarray:
    """KL(Bernoulli(p) || Bernoulli(q)), element-wise, with 0 log 0 = 0."""
    return xlogy(p, p) - xlogy(p, q) + xlogy(1.0 - p, 1.0 - p) - xlogy(1.0 - p, 1.0 - q)


def information_loss(ideal, answers, category=None) -> dict:
    """Fractional information loss of probabilities ``answers`` against the ideal
    observer's ``ideal`` (trials x 1); with ``category`` (the true class), the accuracies."""
    p = np.asarray(ideal, dtype=float).ravel()
    q = np.clip(np.asarray(answers, dtype=float).ravel(), CLIP, 1.0 - CLIP)
    known = np.isfinite(p)
    lost, chance = kl_bernoulli(p[known], q[known]).mean(), kl_bernoulli(p[known], 0.5).mean()
    result = {"fractional_loss": lost / chance, "kl": lost, "kl_chance": chance}
    if category is not None:
        c = np.asarray(category).ravel()
        result["accuracy"] = np.mean((q > 0.5) == (c == 1))
        result["ideal_accuracy"] = np.mean((p[known] > 0.5) == (c[known] == 1))
    return result


def sine_loss(targets, outputs) -> dict:
    """Mean absolute error of ``outputs`` against ``targets`` (same shape; the response
    period), relative to that of the targets' mean."""
    targets, outputs = np.asarray(targets, dtype=float), np.asarray(outputs, dtype=float)
    error = np.mean(np.abs(outputs - targets))
    constant = np.mean(np.abs(targets - targets.mean()))
    return {"fractional_loss": error / constant, "mean_error": error, "constant_error": constant}
