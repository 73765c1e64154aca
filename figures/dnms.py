"""Figures of DNMS results, from the saved files only.

Results come from protocols/dnms.py (one seed or many).

    python figures/dnms.py results/dnms-20 [--out DIR]      # default DIR: RESULTS/figures

- learning.png/svg: error per trial type vs trial (trials.csv of each seed), criterion dashed;
- traces.png/svg: output before and after training for each trial type, perturbations off
  (traces.npz of the seed, or of the first seed), response window shaded, targets dashed;
- criterion.png/svg (several seeds): trials to criterion of each seed (summary.json), median
  marked; for comparison, Miconi (2017) Fig. 1 reports a median of 843 trials over 20 runs.
"""

import matplotlib.pyplot as plt
import numpy as np

from figures import common
from protocols.running.results import read_json


def traces(folder):
    """Output rate before (grey) and after (black) training, one panel per trial type."""
    data = dict(np.load(folder / "traces.npz"))
    target = read_json(folder / "config.json").get("task", {}).get("target", 0.98)
    types = [str(t) for t in data["types"]]
    fig, axes = plt.subplots(
        1, len(types), figsize=(3 * len(types), 3.2), sharey=True, layout="constrained"
    )
    for ax, name, before, after in zip(axes, types, data["before"], data["after"]):
        ax.axvspan(int(data["response_start"]), len(after), color="tab:orange", alpha=0.15)
        for sign in (1, -1):
            ax.axhline(sign * target, color="k", ls="--", lw=0.6)
        ax.plot(before, color="0.6", lw=1, label="before training")
        ax.plot(after, color="k", lw=1.2, label="after training")
        ax.set_title(name)
        ax.set_xlabel("time step")
    axes[0].set_ylabel("output rate")
    axes[0].set_ylim(-1.1, 1.1)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2)
    fig.suptitle(f"Output traces, perturbations off ({folder.name}; response window shaded)")
    return fig


def criterion(folders):
    """Trials to criterion of each seed as a strip over the training trials, median dashed;
    the title counts the seeds that reached it."""
    reached = [read_json(f / "summary.json")["trials_to_criterion"] for f in folders]
    values = np.array([r for r in reached if r is not None], dtype=float)
    trials = read_json(folders[0] / "config.json")["trials"]
    fig, ax = plt.subplots(figsize=(6, 2.4), layout="constrained")
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(values))
    ax.plot(values, jitter, "o", color="tab:blue", alpha=0.7)
    if len(values):
        median = np.median(values)
        ax.axvline(median, color="k", ls="--", lw=1, label=f"median {median:.0f}")
        ax.legend(fontsize="small")
    ax.set_xlim(0, trials)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.set_xlabel("trials to criterion")
    ax.set_title(f"Criterion reached by {len(values)} of {len(folders)} seeds within {trials} trials")
    return fig


def figures(folders):
    yield "learning", common.learning_figure(folders)
    yield "traces", traces(folders[0])
    if len(folders) > 1:
        yield "criterion", criterion(folders)


def main(argv=None) -> list:
    return common.main(argv, __doc__.split("\n")[0], "dnms", figures)


if __name__ == "__main__":
    main()
