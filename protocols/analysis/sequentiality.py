"""The sequentiality index (SI) of Orhan & Ma (2019), and the weight asymmetry that goes with it.

Source: Orhan & Ma (2019) Nat. Neurosci. 22:275-283, Methods; ``utils.compute_SI`` of their
code (shared/specs/orhan.md, "Sequentiality index"). On single trials, over all steps:

* keep the units whose mean activity over the trial exceeds 0.1 (absolute);
* peak time p_j = argmax_t h_j(t); E = the entropy (natural log) of the histogram of the
  p_j in 20 equal bins over [min p, max p], each bin count + 0.1;
* ridge_j = mean of h_j over the steps p_j - 2 .. p_j + 1 (the window start and end clipped
  to [0, T - 1], as in the code, so a peak at the last step averages steps T - 3 .. T - 2),
  background_j = mean over the other steps; r_j = log ridge_j - log background_j;
* SI_trial = E + mean_j r_j; SI = mean over trials.

High SI: peaks spread over the trial (large E) and each unit active briefly (large r). A unit
that is exactly 0 outside its window has an infinite ratio (the code returns inf; a unit
peaking only at the last step, outside its own clipped window, gets -inf). Guard, chosen
here: r is clipped to [-log max_ratio, log max_ratio] with ``max_ratio`` = 1000 (|r| at most
6.9); the number of units clipped is reported. A trial with no unit above threshold has no
SI (NaN, left out of the mean and counted).
"""

import numpy as np

THRESHOLD = 0.1
BINS = 20
WINDOW = 5
MAX_RATIO = 1000.0
INCLUDED_BELOW = 0.5  # a network enters the SI analysis if its fractional loss is below this


def trial_terms(activity, threshold=THRESHOLD, bins=BINS, window=WINDOW, max_ratio=MAX_RATIO) -> dict:
    """SI of one trial (``activity``: steps x units) and its two terms: ``entropy`` and
    ``ridge_to_background`` (mean log ratio); ``units`` kept and ``capped`` among them."""
    h = np.asarray(activity, dtype=float)
    steps = h.shape[0]
    h = h[:, h.mean(axis=0) > threshold]
    if h.shape[1] == 0:
        return {"si": np.nan, "entropy": np.nan, "ridge_to_background": np.nan, "units": 0, "capped": 0}
    peaks = h.argmax(axis=0)
    counts, _ = np.histogram(peaks, bins)
    p = (counts + 0.1) / (counts + 0.1).sum()
    entropy = -np.sum(p * np.log(p))
    start = np.clip(peaks - window // 2, 0, steps - 1)
    stop = np.clip(peaks + window // 2, 0, steps - 1)
    t = np.arange(steps)[:, None]
    inside = (t >= start) & (t < stop)
    ridge = (h * inside).sum(axis=0) / inside.sum(axis=0)
    background = (h * ~inside).sum(axis=0) / (~inside).sum(axis=0)
    with np.errstate(divide="ignore"):
        ratio = np.log(ridge) - np.log(background)
    capped = np.abs(ratio) > np.log(max_ratio)
    ratio = np.clip(ratio, -np.log(max_ratio), np.log(max_ratio))
    return {"si": entropy + ratio.mean(), "entropy": entropy, "ridge_to_background": ratio.mean(),
            "units": h.shape[1], "capped": int(capped.sum())}


def sequentiality(activity, **options) -> dict:
    """SI over trials (``activity``: trials x steps x units, or a list of steps x units
    arrays of different lengths): the means of SI and its terms over the trials that have one,
    the per-trial SI (``per_trial``), and the count of trials without one (``empty_trials``)."""
    terms = [trial_terms(trial, **options) for trial in activity]
    si = np.array([t["si"] for t in terms])
    valid = np.isfinite(si)
    mean = (lambda key: float(np.mean([t[key] for t, ok in zip(terms, valid) if ok])) if valid.any() else float("nan"))
    return {
        "si": mean("si"), "entropy": mean("entropy"), "ridge_to_background": mean("ridge_to_background"),
        "units": mean("units"), "capped_units": mean("capped"),
        "empty_trials": int((~valid).sum()), "per_trial": si,
    }


def peak_order_asymmetry(weights, activity, threshold=THRESHOLD) -> dict:
    """How much stronger the recurrent weights run from earlier- to later-peaking units than
    back: units kept as for the SI, ordered by their peak time in the trial-averaged
    ``activity`` (trials x steps x units); ``weights`` is W [post, pre]. Returns the mean
    weight forward (pre peaks before post), backward, and their difference."""
    mean_activity = np.asarray(activity, dtype=float).mean(axis=0)
    kept = np.flatnonzero(mean_activity.mean(axis=0) > threshold)
    peaks = mean_activity[:, kept].argmax(axis=0)
    w = np.asarray(weights, dtype=float)[np.ix_(kept, kept)]
    later = peaks[:, None] > peaks[None, :]  # [post, pre]: post peaks after pre
    forward = w[later].mean() if later.any() else np.nan
    backward = w[later.T].mean() if later.any() else np.nan
    return {"forward": float(forward), "backward": float(backward), "asymmetry": float(forward - backward),
            "units": int(len(kept))}


def analysis_summary(performance: dict, si: dict, asymmetry: dict) -> dict:
    """The summary values of a tested network: its performance values, whether it is
    included (fractional loss below :data:`INCLUDED_BELOW`, the paper's rule), the SI and its
    terms (:func:`sequentiality`) and the weight asymmetry (:func:`peak_order_asymmetry`)."""
    return {
        **{k: float(v) for k, v in performance.items()},
        "included": bool(performance["fractional_loss"] < INCLUDED_BELOW),
        "si": si["si"], "entropy": si["entropy"], "ridge_to_background": si["ridge_to_background"],
        "si_units": si["units"], "si_capped_units": si["capped_units"], "si_empty_trials": si["empty_trials"],
        "weight_asymmetry": asymmetry["asymmetry"],
    }
