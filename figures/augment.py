"""Figures of AuGMEnT results across models, from the saved results folders only.

Results come from protocols/twelve_ax.py, protocols/sequence_prediction.py,
protocols/saccade.py and protocols/txor.py (one folder per model or per number of
distractors, seeds inside).

    python figures/augment.py results/12ax-standard results/12ax-leaky results/12ax-hybrid \\
        results/seq-d4-* results/seq-d8-* results/saccade-100 [--out DIR]

Figures go to --out (default: a figures/ folder next to the first results folder).

- twelve_ax.png/svg: per model, the fraction of seeds that met the criterion and the trials
  to criterion of those that did (bar: mean, error bar: SD, dots: seeds). Martinolli et al.
  (2018): hybrid 60/60 converged, 31 132 +/- 9 836 trials; leaky 100 %; standard 0/10.
- distractors.png/svg: mean trials to criterion (+/- SD) against the number of distractors,
  one line per model (folders of the same model and d pooled). Paper at d = 4: standard about 235, hybrid 250, leaky 390; leaky about
  2 500 at d = 8.
- saccade[-NAME].png/svg: fraction correct over the last 50 trials of each trial type
  against the trial, one panel per type, one thin line per seed, criterion (90 %) dashed;
- txor[-NAME].png/svg: the same for tXOR's four trial types.
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from figures import common
from protocols.running.results import read_json
from protocols.tasks.augment import Saccade, TemporalXOR

MODEL_ORDER = ("standard", "leaky", "hybrid", "custom")


def load(folder) -> dict:
    """Configuration and summaries of a results folder (one run, or seed-*/ runs)."""
    runs = common.run_folders(folder)
    config = read_json(runs[0] / "config.json")
    summaries = [read_json(run / "summary.json") for run in runs]
    return {"folder": Path(folder), "runs": runs, "config": config, "summaries": summaries}


def _label(config) -> str:
    return config["model"] if config["model"] != "custom" else f"leak {config['augment']['leak']}"


def _trials(result) -> np.ndarray:
    return np.array([s["trials_to_criterion"] for s in result["summaries"] if s["converged"]],
                    dtype=float)


def twelve_ax(results):
    """Convergence rate and trials to criterion per model (bars with spread); folders of the
    same model (e.g. seeds 1-10 and 11-20) are pooled."""
    pooled = {}
    for r in sorted(results, key=lambda r: MODEL_ORDER.index(r["config"]["model"])):
        pooled.setdefault(_label(r["config"]), {**r, "summaries": []})["summaries"] += r["summaries"]
    labels, results = list(pooled), list(pooled.values())
    fig, (rate_ax, trials_ax) = plt.subplots(1, 2, figsize=(8, 3.5), layout="constrained")
    x = np.arange(len(results))
    rates = [np.mean([s["converged"] for s in r["summaries"]]) for r in results]
    rate_ax.bar(x, 100 * np.array(rates), color="tab:blue", alpha=0.7)
    for k, r in enumerate(results):
        rate_ax.text(k, 100 * rates[k] + 2, f"{len(_trials(r))}/{len(r['summaries'])}",
                     ha="center", fontsize="small")
    rate_ax.set_ylabel("seeds converged (%)")
    rate_ax.set_ylim(0, 110)
    for k, r in enumerate(results):
        trials = _trials(r)
        if len(trials):
            trials_ax.bar(k, trials.mean(), yerr=trials.std(ddof=1) if len(trials) > 1 else 0,
                          color="tab:orange", alpha=0.7, capsize=4)
            jitter = np.random.default_rng(k).uniform(-0.2, 0.2, len(trials))
            trials_ax.plot(k + jitter, trials, "k.", ms=4)
    trials_ax.set_ylabel("trials to criterion (converged seeds)")
    cap = results[0]["config"]["trials"]
    for ax in (rate_ax, trials_ax):
        ax.set_xticks(x, labels)
        ax.set_xlim(-0.6, len(results) - 0.4)
    fig.suptitle(f"12AX ({results[0]['config']['task']['variant']}), cap {cap} trials; "
                 "bars: mean, error bars: SD")
    return fig


def distractors(results):
    """Mean trials to criterion (+/- SD) against the number of distractors, per model."""
    fig, ax = plt.subplots(figsize=(5, 3.8), layout="constrained")
    by_model = {}
    for r in results:
        by_model.setdefault(_label(r["config"]), []).append(r)
    for label in sorted(by_model, key=lambda m: MODEL_ORDER.index(m) if m in MODEL_ORDER else 9):
        pooled = {}  # distractors -> trials of all folders with that d
        for r in by_model[label]:
            d = r["config"]["task"]["distractors"]
            pooled[d] = np.concatenate([pooled.get(d, []), _trials(r)])
        d = sorted(pooled)
        trials = [pooled[k] for k in d]
        mean = [t.mean() if len(t) else np.nan for t in trials]
        sd = [t.std(ddof=1) if len(t) > 1 else 0.0 for t in trials]
        ax.errorbar(d, mean, yerr=sd, marker="o", capsize=3, label=label)
    ax.set_yscale("log")
    ax.set_xticks(sorted({r["config"]["task"]["distractors"] for r in results}))
    ax.set_xlabel("distractors d")
    ax.set_ylabel("trials to criterion (mean +/- SD)")
    ax.set_title("Sequence prediction")
    ax.legend(fontsize="small")
    return fig


def per_type(result, types, threshold, title, window=50):
    """Fraction correct per trial type against the trial, one panel per type, one thin line
    per seed; ``threshold`` dashed."""
    fig, axes = plt.subplots(1, len(types), figsize=(3 * len(types), 3), sharey=True, layout="constrained")
    for run in result["runs"]:
        curves = common.error_curves(run, window, column="correct")
        for ax, name in zip(axes, types):
            if name in curves:
                ax.plot(*curves[name], lw=0.6, alpha=0.6)
    for ax, name in zip(axes, types):
        ax.axhline(threshold, color="k", ls="--", lw=0.8)
        ax.set_title(name)
        ax.set_xlabel("trial")
    axes[0].set_ylabel(f"fraction correct (last {window} of the type)")
    axes[0].set_ylim(-0.02, 1.02)
    n = len(result["runs"])
    fig.suptitle(f"{title} ({n} seed{'s' * (n > 1)}; runs end at the criterion)")
    return fig


def saccade(result):
    """Saccade/antisaccade: each trial type against the criterion (90 % of the last 50)."""
    task = result["config"]["task"]
    return per_type(result, Saccade.trial_types, 0.9,
                    f"Saccade/antisaccade, shaping {'on' if task['shaping'] else 'off'}, "
                    f"{'strict' if task['strict'] else 'loose'}")


def txor(result):
    """tXOR: each trial type (1A, 1B, 2A, 2B); the criterion is 100 correct trials in a row."""
    return per_type(result, TemporalXOR.trial_types, 1.0, "Temporal XOR")


def figures(results):
    """(name, figure) pairs for the protocols found among ``results``."""
    by_protocol = {}
    for r in results:
        by_protocol.setdefault(r["config"]["protocol"], []).append(r)
    if "twelve_ax" in by_protocol:
        yield "twelve_ax", twelve_ax(by_protocol["twelve_ax"])
    if "sequence_prediction" in by_protocol:
        yield "distractors", distractors(by_protocol["sequence_prediction"])
    for protocol, figure in (("saccade", saccade), ("txor", txor)):
        for r in by_protocol.get(protocol, []):
            many = len(by_protocol[protocol]) > 1
            yield protocol + (f"-{r['folder'].name}" if many else ""), figure(r)


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", help="results folders (one run or seed-*/ runs)")
    parser.add_argument("--out", help="folder for the figures (default: RESULTS/../figures)")
    args = parser.parse_args(argv)
    try:
        results = [load(folder) for folder in args.results]
        unknown = {r["config"].get("protocol") for r in results} - {
            "twelve_ax", "sequence_prediction", "saccade", "txor"}
        if unknown:
            raise ValueError(f"no AuGMEnT figure for protocol(s) {sorted(map(str, unknown))}.")
    except (ValueError, OSError) as error:
        parser.error(str(error))
    out = Path(args.out) if args.out else Path(args.results[0]).resolve().parent / "figures"
    written = [path for name, fig in figures(results) for path in common.save(fig, out, name)]
    print(f"{len(written)} files in {out}")
    return written


if __name__ == "__main__":
    main()
