"""Shared parts of the figure scripts: find the runs of a results folder, smooth and aggregate
the per-trial-type error curves (from each run's trials.csv), save figures as PNG and SVG.

A results folder is either one run (config.json, trials.csv, summary.json, traces.npz, ...)
or a many-seed folder whose seed-*/ subfolders are such runs.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from protocols.running.results import read_json, read_records, seed_folders  # noqa: E402

THRESHOLD = 1.0  # error below which a trial counts as correct (Miconi's criterion)


def run_folders(path) -> list:
    """The single-run folders in ``path``: the folder itself, or its finished seed folders
    (those that its summary.csv lists)."""
    path = Path(path)
    if (path / "trials.csv").is_file():
        return [path]
    folders = [p for p in seed_folders(path) if (p / "trials.csv").is_file()]
    if not folders:
        raise ValueError(
            f"{path} holds no results: expected trials.csv there or in seed-*/ subfolders."
        )
    return folders


def error_curves(folder, window=50, column="error") -> dict:
    """Per trial type: (trial numbers, running mean of ``column`` (the error; "correct" gives
    the fraction correct) over the last ``window`` trials of that type, fewer at the start),
    from ``folder``/trials.csv; types in the order they first occur."""
    records = read_records(Path(folder) / "trials.csv")
    curves = {}
    for name in dict.fromkeys(records["type"]):
        mine = records["type"] == name
        total = np.cumsum(np.insert(records[column][mine], 0, 0.0))
        end = np.arange(1, len(total))
        start = np.maximum(end - window, 0)
        curves[name] = (records["trial"][mine], (total[end] - total[start]) / (end - start))
    return curves


def quartiles(curves) -> np.ndarray:
    """25th, 50th and 75th percentiles across curves (cut to the shortest), shape (3, T)."""
    length = min(len(c) for c in curves)
    return np.percentile([c[:length] for c in curves], [25, 50, 75], axis=0)


def learning_figure(folders, window=50):
    """Smoothed error per trial type vs trial: the curve of one run, or the median and
    quartile band across runs; the criterion threshold dashed."""
    runs = [error_curves(folder, window) for folder in folders]
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for name in runs[0]:
        trials = min((run[name][0] for run in runs), key=len)
        low, median, high = quartiles([run[name][1] for run in runs])
        (line,) = ax.plot(trials, median, lw=1.2, label=name)
        if len(runs) > 1:
            ax.fill_between(trials, low, high, color=line.get_color(), alpha=0.2, lw=0)
    ax.axhline(THRESHOLD, color="k", ls="--", lw=0.8, label="criterion")
    ax.set_xlabel("trial")
    ax.set_ylabel(f"error (running mean, {window} trials of a type)")
    spread = "median and quartiles over " if len(runs) > 1 else ""
    ax.set_title(f"Learning curve ({spread}{len(runs)} seed{'s' * (len(runs) > 1)})")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    return fig


def save(fig, out_dir, name) -> list:
    """Write ``name``.png and ``name``.svg to ``out_dir``; close the figure; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.{ext}" for ext in ("png", "svg")]
    for path in paths:
        fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return paths


def main(argv, description, protocol, figures) -> list:
    """Command of a figure script: ``figures(folders)`` yields (name, figure) pairs, which
    are saved to --out (default RESULTS/figures). Returns the written files."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("results", help="results folder: one run, or seed-*/ runs")
    parser.add_argument("--out", help="folder for the figures (default RESULTS/figures)")
    args = parser.parse_args(argv)
    try:
        folders = run_folders(args.results)
        found = read_json(folders[0] / "config.json").get("protocol")
        if found != protocol:
            raise ValueError(f"{folders[0]} holds {found!r} results, not {protocol!r}.")
    except (ValueError, OSError) as error:
        parser.error(str(error))
    out = Path(args.out) if args.out else Path(args.results) / "figures"
    written = [path for name, fig in figures(folders) for path in save(fig, out, name)]
    print(f"{len(written)} files in {out}")
    return written
