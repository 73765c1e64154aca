"""Figures of selective-integration results, from the saved files only.

Results come from protocols/selective_integration.py (one seed or many).

    python figures/selective_integration.py results/si-10 [--out DIR]   # default RESULTS/figures

- learning.png/svg: error per trial type vs trial (trials.csv of each seed), criterion dashed;
- psychometric.png/svg: for each context, P(choice +) vs the relevant modality's bias
  (averaged over the irrelevant one) and vs the irrelevant modality's bias (averaged over the
  relevant one), from psychometric.npz; seeds thin, their mean thick when several.
"""

import matplotlib.pyplot as plt
import numpy as np

from figures import common


def psychometric(folders):
    """Rows: context (modality 1 or 2 relevant); columns: relevant and irrelevant bias."""
    data = [dict(np.load(folder / "psychometric.npz")) for folder in folders]
    levels = data[0]["levels"]
    if any(not np.array_equal(d["levels"], levels) for d in data):
        raise ValueError(f"the seeds in {folders[0].parent} were tested at different bias levels.")
    p_plus = np.stack([d["p_plus"] for d in data])  # (seeds, context, level 1, level 2)
    # context 0: modality 1 (axis 2) relevant; context 1: modality 2 (axis 3) relevant
    curves = [
        [p_plus[:, 0].mean(axis=2), p_plus[:, 0].mean(axis=1)],
        [p_plus[:, 1].mean(axis=1), p_plus[:, 1].mean(axis=2)],
    ]  # [context][relevant, irrelevant]: (seeds, levels)
    fig, axes = plt.subplots(2, 2, figsize=(7, 6), sharex=True, sharey=True, layout="constrained")
    for context, row in enumerate(curves):
        for ax, seeds in zip(axes[context], row):
            if len(seeds) > 1:
                ax.plot(levels, seeds.T, color="0.7", lw=0.7)
            ax.plot(levels, seeds.mean(axis=0), "o-", color="k", lw=1.5)
            ax.axhline(0.5, color="k", ls=":", lw=0.6)
            ax.set_title(f"modality {context + 1} relevant", fontsize="medium")
    axes[1, 0].set_xlabel("relevant modality bias")
    axes[1, 1].set_xlabel("irrelevant modality bias")
    for ax in axes[:, 0]:
        ax.set_ylabel("P(choice +)")
    axes[0, 0].set_ylim(-0.03, 1.03)
    mean = f"mean of {len(folders)} seeds" if len(folders) > 1 else folders[0].name
    fig.suptitle(f"Psychometric curves after training ({mean})")
    return fig


def figures(folders):
    yield "learning", common.learning_figure(folders)
    yield "psychometric", psychometric(folders)


def main(argv=None) -> list:
    return common.main(argv, __doc__.split("\n")[0], "selective_integration", figures)


if __name__ == "__main__":
    main()
