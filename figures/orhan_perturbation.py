"""Figures of node-perturbation reservoirs on Orhan & Ma's tasks, from the saved files only.

Results come from protocols/orhan_perturbation.py (one seed or many).

    python figures/orhan_perturbation.py results/np-2afc [--out DIR]

- learning.png/svg: error per trial type vs trial (trials.csv of each seed), criterion dashed;
- traces.png/svg: output before and after training for each class, perturbations off;
- si.png/svg: each seed's SI, entropy and ridge terms, trained against untrained (the same
  network with its initial weights, on the same test trials), the diagonal for no change;
- activity.png/svg: the first test trial of the seed with the highest SI, units (rectified
  rates) sorted by peak time.
"""

import numpy as np

from figures import common, dnms, orhan_ma
from figures.common import plt
from protocols.running.results import read_json

PROTOCOL = "orhan_perturbation"
TERMS = ("si", "entropy", "ridge_to_background")


def si_figure(summaries):
    """SI and its terms of each seed after training against before (untrained weights)."""
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), layout="constrained")
    for ax, term in zip(axes, TERMS):
        before = np.array([s[f"untrained_{term}"] for s in summaries])
        after = np.array([s[term] for s in summaries])
        included = np.array([s["included"] for s in summaries])
        ax.plot(before[included], after[included], "o", color="tab:blue", label="included")
        ax.plot(before[~included], after[~included], "o", mfc="none", color="tab:blue", label="excluded")
        low, high = min(before.min(), after.min()), max(before.max(), after.max())
        ax.plot([low, high], [low, high], "k--", lw=0.6)
        ax.set_xlabel(f"{term}, untrained")
        ax.set_ylabel(f"{term}, trained")
    axes[0].legend(fontsize="small")
    fig.suptitle(f"Node perturbation: {len(summaries)} seeds, {int(sum(s['included'] for s in summaries))} included")
    return fig


def figures(folders):
    summaries = [read_json(f / "summary.json") for f in folders]
    best = int(np.nanargmax([s["si"] for s in summaries]))
    activity = np.load(folders[best] / "activity.npz")["activity"][0]
    yield "learning", common.learning_figure(folders)
    yield "traces", dnms.traces(folders[0])
    yield "si", si_figure(summaries)
    yield "activity", orhan_ma.sequence_figure(
        activity, f"{folders[best].name}: SI {summaries[best]['si']:.2f} (first test trial, rectified rates)")


def main(argv=None) -> list:
    return common.main(argv, __doc__.split("\n")[0], PROTOCOL, figures)


if __name__ == "__main__":
    main()
