"""Figures of Orhan & Ma runs, from their results folders only (summary.csv, activity.npz).

    python figures/orhan_ma.py RESULTS [--out DIR]

- si_grid.png/svg: SI over the (lambda0, sigma0) grid, one heat map per task (the median over
  seeds of the included networks; a cell with no included network is crossed out);
- si_per_task.png/svg: SI of every network per task (included filled, excluded hollow), the
  median of the included as a bar, with its two terms beside it;
- activity.png/svg: the test activity of one trained network (the included one with the
  highest SI, else the first), units sorted by their peak time: a sequence shows as a
  diagonal ridge, persistence as horizontal bands.

    python figures/orhan_ma.py --compare BASIC CONDITION... [--out DIR]
    python figures/orhan_ma.py FACTOR-STUDY [--factor condition basic hebbian]

A run of several conditions (one summary, a ``condition`` column) gets the three figures per
condition (``si_grid_hebbian.png``, ...) and the conditions figure against its basic networks.

- conditions.png/svg: per condition, each network's SI, entropy and ridge terms against its
  seed-paired basic network (:mod:`protocols.analysis.pairing`; both included), the diagonal
  for no change; the included fractions in the titles. The paired numbers are printed as a
  Markdown table.
"""

import argparse
from pathlib import Path

import numpy as np

from figures import common
from figures.common import plt
from protocols.analysis.pairing import KEYS, by_factor, is_included, paired
from protocols.running.results import columns, read_json, read_records

PROTOCOL = "orhan_ma"


def load(folder) -> dict:
    """summary.csv of an Orhan & Ma results folder as columns; without one (a run still
    going: its ``.partial`` folder), the summaries of the networks written so far."""
    path = Path(folder) / "summary.csv"
    written = sorted(Path(folder).glob("*/summary.json"))
    if not path.is_file() and not written:
        raise ValueError(f"{folder} holds no Orhan & Ma summary.csv and no finished network.")
    rows = read_records(path) if path.is_file() else columns([read_json(f) for f in written])
    if "error" in rows:
        keep = np.array([not e for e in rows["error"]])
        rows = {k: np.asarray(v)[keep] for k, v in rows.items()}
    return {k: np.asarray(v) for k, v in rows.items()}


def _included(rows):
    return np.array([is_included(v) for v in rows["included"]])


def si_grid_figure(rows):
    tasks = list(dict.fromkeys(rows["task"]))
    lambdas, sigmas = np.unique(rows["lambda0"]), np.unique(rows["sigma0"])
    fig, axes = plt.subplots(1, len(tasks), figsize=(3.2 * len(tasks) + 0.8, 3.0), squeeze=False)
    included = _included(rows)
    for ax, task in zip(axes[0], tasks):
        grid = np.full((len(sigmas), len(lambdas)), np.nan)
        for i, sig in enumerate(sigmas):
            for j, lam in enumerate(lambdas):
                cell = (rows["task"] == task) & (rows["lambda0"] == lam) & (rows["sigma0"] == sig)
                if (cell & included).any():
                    grid[i, j] = np.median(rows["si"][cell & included])
                elif cell.any():
                    ax.plot(j, i, "x", color="0.4", markersize=10)
        image = ax.imshow(grid, origin="lower", cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(lambdas)), [f"{v:g}" for v in lambdas], rotation=45)
        ax.set_yticks(range(len(sigmas)), [f"{v:g}" for v in sigmas])
        ax.set_xlabel("lambda0")
        ax.set_ylabel("sigma0")
        ax.set_title(task)
        fig.colorbar(image, ax=ax, label="SI (median of included)")
    fig.tight_layout()
    return fig


def si_per_task_figure(rows):
    tasks = list(dict.fromkeys(rows["task"]))
    included = _included(rows)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    rng = np.random.default_rng(0)
    for ax, column, title in zip(axes, ("si", "entropy", "ridge_to_background"), ("SI", "entropy term", "ridge-to-background term")):
        for k, task in enumerate(tasks):
            mine = rows["task"] == task
            x = k + rng.uniform(-0.15, 0.15, mine.sum())
            inc = included[mine]
            ax.scatter(x[inc], rows[column][mine][inc], color="C0", s=14)
            ax.scatter(x[~inc], rows[column][mine][~inc], facecolors="none", edgecolors="0.5", s=14)
            if inc.any():
                ax.bar(k, np.median(rows[column][mine][inc]), width=0.6, color="C0", alpha=0.25)
        ax.set_xticks(range(len(tasks)), tasks)
        ax.set_title(title)
    axes[0].set_ylabel("per network (hollow: excluded)")
    fig.tight_layout()
    return fig


def activity_figure(folder, rows):
    included = _included(rows)
    order = np.argsort(-np.where(included, rows["si"], -np.inf))
    pick = order[0]
    prefix = f"{rows['condition'][pick]}-" if "condition" in rows else ""
    name = (f"{prefix}{rows['task'][pick]}-lambda{rows['lambda0'][pick]:.3f}-sigma{rows['sigma0'][pick]:.3f}"
            f"-seed-{int(rows['seed'][pick]):03d}")
    activity = np.load(Path(folder) / name / "activity.npz")["activity"][0]
    return sequence_figure(activity, f"{name}\nSI {rows['si'][pick]:.2f} (first test trial, each unit scaled to its peak)")


def sequence_figure(activity, title):
    """One trial's ``activity`` (steps x units): the units above the SI's threshold, sorted by
    peak time, each scaled to its peak."""
    active = activity.mean(axis=0) > 0.1
    shown = activity[:, active] if active.any() else activity
    shown = shown[:, np.argsort(shown.argmax(axis=0))]
    shown = shown / np.maximum(shown.max(axis=0), 1e-12)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.imshow(shown.T, aspect="auto", cmap="magma", interpolation="nearest")
    ax.set_xlabel("step")
    ax.set_ylabel("unit (sorted by peak time)")
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


def conditions_figure(basic, others: dict):
    """SI and its terms of each condition's networks against their basic pairs."""
    columns = ("si", "entropy", "ridge_to_background")
    fig, axes = plt.subplots(len(others), 3, figsize=(10, 3.0 * len(others)), squeeze=False)
    base = {tuple(basic[k][i] for k in KEYS): i for i in range(len(basic["task"]))}
    colours = {task: f"C{k}" for k, task in enumerate(sorted(set(basic["task"])))}
    for row, (name, rows) in zip(axes, others.items()):
        result = paired(basic, rows)
        for ax, column in zip(row, columns):
            for j in range(len(rows["task"])):
                i = base.get(tuple(rows[k][j] for k in KEYS))
                if i is not None and _included(rows)[j] and _included(basic)[i]:
                    ax.scatter(basic[column][i], rows[column][j], color=colours[rows["task"][j]], s=14)
            lo, hi = ax.get_xlim()
            ax.plot([lo, hi], [lo, hi], color="0.6", lw=0.8)
            ax.set_xlabel(f"{column}, basic")
            ax.set_ylabel(f"{column}, condition")  # the row's title names it
        row[0].legend(handles=[plt.Line2D([], [], marker="o", ls="", color=c, label=t) for t, c in colours.items()],
                      fontsize=7, loc="lower right")
        row[0].set_title(f"{name}: {result['pairs']} pairs; included {result['included_basic']:.0%} basic, "
                         f"{result['included_other']:.0%} {name}", fontsize=8, loc="left")
    fig.tight_layout()
    return fig


def _condition(folder) -> str:
    """A results folder's condition, or its folder name where that says more."""
    condition = read_json(Path(folder) / "config.json").get("condition", "basic")
    return Path(folder).name if condition == "basic" else condition


def comparison_table(basic, others: dict) -> str:
    """The seed-paired results as a Markdown table."""
    lines = ["| condition | pairs | included (basic / condition) | median SI change | higher / lower | "
             "median entropy change | median ridge change |", "|---|---|---|---|---|---|---|"]
    for name, rows in others.items():
        r = paired(basic, rows)
        change = {c: f"{r[c]['median_difference']:+.2f}" if r["pairs"] else "-"
                  for c in ("si", "entropy", "ridge_to_background")}
        lines.append(f"| {name} | {r['pairs']} | {r['included_basic']:.2f} / {r['included_other']:.2f} | "
                     f"{change['si']} | {r['si']['higher']} / {r['si']['lower']} | "
                     f"{change['entropy']} | {change['ridge_to_background']} |")
    return "\n".join(lines)


def grid_table(rows) -> str:
    """Per task and grid cell: networks included, and the median (range) of their SI and terms."""
    included = _included(rows)
    lines = ["| task | lambda0 | sigma0 | included | SI, median (range) | entropy | ridge-to-background |",
             "|---|---|---|---|---|---|---|"]
    for task in dict.fromkeys(rows["task"]):
        for lam in np.unique(rows["lambda0"]):
            for sig in np.unique(rows["sigma0"]):
                cell = (rows["task"] == task) & (rows["lambda0"] == lam) & (rows["sigma0"] == sig)
                ok = cell & included
                if not cell.any():
                    continue
                si = rows["si"][ok]
                text = f"{np.median(si):.2f} ({si.min():.2f}-{si.max():.2f})" if ok.any() else "-"
                terms = [f"{np.median(rows[c][ok]):.2f}" if ok.any() else "-" for c in ("entropy", "ridge_to_background")]
                lines.append(f"| {task} | {lam:g} | {sig:g} | {ok.sum()} of {cell.sum()} | {text} | {terms[0]} | {terms[1]} |")
    return "\n".join(lines)


def factor_table(rows, factor, first, second) -> str:
    """One factor's seed-paired effect on SI and its terms, per task and over all."""
    r = by_factor(rows, factor, first, second)
    if not r["pairs"]:
        return (f"{factor} {second} against {first}: no pair with both networks included (included "
                f"{r['included_basic']:.2f} / {r['included_other']:.2f}): inconclusive")
    return (f"{factor} {second} against {first}: {r['pairs']} pairs (both included); SI change median "
            f"{r['si']['median_difference']:+.2f}, higher in {r['si']['higher']}, lower in {r['si']['lower']}; "
            f"entropy {r['entropy']['median_difference']:+.2f}, ridge {r['ridge_to_background']['median_difference']:+.2f}; "
            f"included {r['included_basic']:.2f} / {r['included_other']:.2f}")


def by_condition(rows) -> dict:
    """{condition: rows} of a run of several conditions (a ``condition`` column); else {None: rows}."""
    if "condition" not in rows:
        return {None: rows}
    return {c: {k: v[rows["condition"] == c] for k, v in rows.items()} for c in dict.fromkeys(rows["condition"])}


def figures(folder) -> list:
    """(name, figure) pairs of one results folder: per condition where it holds several, and
    then the conditions against the basic one."""
    parts, drawn = by_condition(load(folder)), []
    for condition, rows in parts.items():
        suffix = f"_{condition}" if condition else ""
        drawn += [(f"si_grid{suffix}", si_grid_figure(rows)), (f"si_per_task{suffix}", si_per_task_figure(rows)),
                  (f"activity{suffix}", activity_figure(folder, rows))]
    if "basic" in parts and len(parts) > 1:
        drawn.append(("conditions", conditions_figure(parts["basic"], {c: r for c, r in parts.items() if c != "basic"})))
    return drawn


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", help="a results folder; with --compare: BASIC CONDITION...")
    parser.add_argument("--compare", action="store_true", help="conditions against the basic one, seed-paired")
    parser.add_argument("--factor", nargs=3, metavar=("NAME", "FIRST", "SECOND"), action="append",
                        help="also print the seed-paired effect of one factor (task, lambda0, sigma0 or, in a run "
                        "of several conditions, condition), e.g. --factor sigma0 0 0.4 --factor task 2afc comp")
    parser.add_argument("--out", help="folder for the figures (default RESULTS/figures)")
    args = parser.parse_args(argv)
    out = Path(args.out or Path(args.results[0]) / "figures")
    if args.compare:
        basic, others = load(args.results[0]), {}
        for folder in args.results[1:]:  # a run of several conditions gives each of them
            parts = by_condition(load(folder))
            others.update({_condition(folder): parts[None]} if None in parts else parts)
        common.save(conditions_figure(basic, others), out, "conditions")
        print(comparison_table(basic, others))
    else:
        for name, fig in figures(args.results[0]):
            common.save(fig, out, name)
        rows = load(args.results[0])
        parts = by_condition(rows)
        for condition, part in parts.items():
            print(f"\n{condition}:" if condition else "", grid_table(part), sep="\n")
        if "basic" in parts and len(parts) > 1:
            print(comparison_table(parts["basic"], {c: r for c, r in parts.items() if c != "basic"}))
        for factor, first, second in args.factor or []:
            print(factor_table(rows, factor, first, second))
    print(f"figures in {out}")


if __name__ == "__main__":
    main()
