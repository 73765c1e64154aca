"""Figures of selective-integration results, from the saved files only.

Results come from protocols/selective_integration.py (one seed or many).

    python figures/selective_integration.py results/si-10 [--out DIR]   # default RESULTS/figures

- learning.png/svg: error per trial type vs trial (trials.csv of each seed), criterion dashed;
- psychometric.png/svg: for each context, P(choice +) vs the relevant modality's bias
  (averaged over the irrelevant one) and vs the irrelevant modality's bias (averaged over the
  relevant one), from psychometric.npz; seeds thin, their mean thick when several;
- response.png/svg: the same for the mean output over the response window (Miconi's Fig. 4),
  when psychometric.npz holds it.
"""

import matplotlib.pyplot as plt
import numpy as np

from figures import common


def load(folders) -> list:
    """The psychometric.npz of each seed, checked to share the bias levels."""
    data = [dict(np.load(folder / "psychometric.npz")) for folder in folders]
    if any(not np.array_equal(d["levels"], data[0]["levels"]) for d in data):
        raise ValueError(f"the seeds in {folders[0].parent} were tested at different bias levels.")
    return data


def psychometric(folders, data, key="p_plus", label="P(choice +)", limits=(0.0, 1.0)):
    """Rows: context (modality 1 or 2 relevant); columns: relevant and irrelevant bias."""
    levels = data[0]["levels"]
    values = np.stack([d[key] for d in data])  # (seeds, context, level 1, level 2)
    # context 0: modality 1 (axis 2) relevant; context 1: modality 2 (axis 3) relevant
    curves = [
        [values[:, 0].mean(axis=2), values[:, 0].mean(axis=1)],
        [values[:, 1].mean(axis=1), values[:, 1].mean(axis=2)],
    ]  # [context][relevant, irrelevant]: (seeds, levels)
    fig, axes = plt.subplots(2, 2, figsize=(7, 6), sharex=True, sharey=True, layout="constrained")
    for context, row in enumerate(curves):
        for ax, seeds in zip(axes[context], row):
            if len(seeds) > 1:
                ax.plot(levels, seeds.T, color="0.7", lw=0.7)
            ax.plot(levels, seeds.mean(axis=0), "o-", color="k", lw=1.5)
            ax.axhline(np.mean(limits), color="k", ls=":", lw=0.6)
            ax.set_title(f"modality {context + 1} relevant", fontsize="medium")
    axes[1, 0].set_xlabel("relevant modality bias")
    axes[1, 1].set_xlabel("irrelevant modality bias")
    for ax in axes[:, 0]:
        ax.set_ylabel(label)
    margin = 0.03 * (limits[1] - limits[0])
    axes[0, 0].set_ylim(limits[0] - margin, limits[1] + margin)
    mean = f"mean of {len(folders)} seeds" if len(folders) > 1 else folders[0].name
    fig.suptitle(f"Psychometric curves after training ({mean})")
    return fig


def figures(folders):
    yield "learning", common.learning_figure(folders)
    data = load(folders)
    yield "psychometric", psychometric(folders, data)
    if all("response" in d for d in data):
        yield "response", psychometric(folders, data, "response", "mean response", (-1.0, 1.0))


def main(argv=None) -> list:
    return common.main(argv, __doc__.split("\n")[0], "selective_integration", figures)


if __name__ == "__main__":
    main()
