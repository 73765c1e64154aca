"""Figure of the image association results: test accuracy vs delay D, from saved files only.

Results come from protocols/image_association.py, one run per delay (one seed or many):

    for D in 0 5 10 20 40; do
        python protocols/image_association.py --delay $D --seeds 1-5 --out results/ia/d$D
    done
    python figures/image_association.py results/ia [--out DIR]   # default DIR: RESULTS/figures

- accuracy_vs_delay.png/svg: test accuracy of the Hebbian memory model and of the reservoir
  baseline against D, mean and standard deviation over seeds (each seed a dot), with the
  encoder-limited ceiling, chance among the 3 digits shown (1/3) and among all 10 (1/10).
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from figures import common
from networks.image_association import N_CLASSES
from protocols.running.results import read_json

PROTOCOL = "image_association"
CURVES = (
    ("accuracy", "H-Mem (Hebbian memory)", "tab:blue", "o-"),
    ("baseline_accuracy", "reservoir baseline", "tab:orange", "s-"),
    ("ceiling", "encoder-limited ceiling", "0.4", "--"),
)


def runs(path) -> list:
    """The (config, summary) of every finished single-seed run under ``path`` (any depth)."""
    found = []
    for summary in sorted(Path(path).rglob("summary.json")):
        if any(part.endswith(".partial") for part in summary.parts):
            continue  # a run still being written
        config = read_json(summary.with_name("config.json"))
        if config.get("protocol") != PROTOCOL:
            raise ValueError(f"{summary.parent} holds {config.get('protocol')!r} results, not {PROTOCOL!r}.")
        found.append((config, read_json(summary)))
    if not found:
        raise ValueError(f"{path} holds no {PROTOCOL} results (no summary.json below it).")
    return found


def by_delay(found) -> dict:
    """{column: {delay: [value per seed]}} for the plotted columns (missing values skipped)."""
    table = {column: {} for column, *_ in CURVES}
    for _, summary in found:
        for column in table:
            if summary.get(column) is not None:
                table[column].setdefault(summary["delay"], []).append(summary[column])
    return table


def accuracy_figure(found):
    table = by_delay(found)
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for column, label, color, style in CURVES:
        delays = sorted(table[column])
        if not delays:
            continue
        values = [np.array(table[column][d]) for d in delays]
        mean = np.array([v.mean() for v in values])
        sd = np.array([v.std(ddof=1) if len(v) > 1 else 0.0 for v in values])
        ax.errorbar(delays, mean, sd, fmt=style, color=color, capsize=3, label=label, lw=1.2, ms=5)
        for d, v in zip(delays, values):
            ax.plot(np.full(len(v), d), v, ".", color=color, alpha=0.35, ms=4)
    ax.axhline(1 / 3, color="k", ls=":", lw=0.8, label="chance among the 3 digits shown")
    ax.axhline(1 / N_CLASSES, color="k", ls="-.", lw=0.6, label="guessing among all 10 digits")
    seeds = sorted({summary["seed"] for _, summary in found})
    filler = sorted({summary["filler"] for _, summary in found})
    ax.set_xlabel("filler frames after each pair (D)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1)
    ax.set_title(f"Single-shot image association ({', '.join(filler)} filler; "
                 f"mean and sd over {len(seeds)} seed{'s' * (len(seeds) > 1)})", fontsize="medium")
    ax.legend(fontsize="small", loc="lower left")
    return fig


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", help="folder holding image association runs (any depth)")
    parser.add_argument("--out", help="folder for the figures (default RESULTS/figures)")
    args = parser.parse_args(argv)
    try:
        found = runs(args.results)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    out = Path(args.out) if args.out else Path(args.results) / "figures"
    written = common.save(accuracy_figure(found), out, "accuracy_vs_delay")
    print(f"{len(written)} files in {out}")
    return written


if __name__ == "__main__":
    main()
