"""Figure and table of H-Mem runs on bAbI, from their results folders only (summary.csv).

    python figures/babi.py BASE [BASE ...] [--rbw RBW [RBW ...]] [--out DIR]

Each variant may come from several results folders (tasks run at different times or places):
their summaries are joined, and a task and seed found in two of them is an error.

- babi_error.png/svg: per task the test error (%) of H-Mem (BASE) and, where given, of H-Mem
  with read-before-write (RBW): the run with the best validation accuracy of each task's seeds
  (the paper's report) as a bar, every seed as a dot; the 5 % "solved" line; the published
  comparators' mean errors as lines (MemN2N 6.6, EntNet 0.5, DMN+ 2.8 % on bAbI 10k) and the
  tasks they fail marked (MemN2N: 3, 17, 18, 19; DMN+: 16). Their per-task errors were not
  available to us; nor were the paper's own.

A Markdown table is printed: per task the best-of-seeds and the median error of each run, and
the count of solved tasks (error at most 5 %) and the mean error.
"""

import argparse
from pathlib import Path

import numpy as np

from figures import common
from figures.common import plt
from protocols.running.results import read_records

PROTOCOL = "babi"
SOLVED = 5.0
COMPARATORS = {"MemN2N": (6.6, (3, 17, 18, 19)), "EntNet": (0.5, ()), "DMN+": (2.8, (16,))}
"""Published test errors on bAbI 10k (shared/specs/babi.md): mean % and the failed tasks."""


def load(*folders) -> dict:
    """Per task: the errors (%) of its seeds and the error of the seed with the best validation,
    over the summaries of ``folders`` joined."""
    runs, data = {}, set()  # (task, seed): (test error %, validation accuracy, folder)
    for folder in folders:
        path = Path(folder) / "summary.csv"
        if not path.is_file():
            raise ValueError(f"{folder} holds no bAbI summary.csv.")
        found = read_records(path)
        ok = np.array([not e for e in found["error"]]) if "error" in found else np.ones(len(found["task"]), bool)
        for task, seed, test, valid in zip(*(found[c][ok] for c in ("task", "seed", "test_accuracy", "valid_accuracy"))):
            key = (int(task), int(seed))
            if key in runs:
                raise ValueError(f"task {key[0]} seed {key[1]} is in both {runs[key][2]} and {folder}.")
            runs[key] = (100 * (1 - float(test)), float(valid), folder)
        data |= set(found["data"][ok]) if "data" in found else {"bAbI-style"}
    per_task = {}
    for task in sorted({t for t, _ in runs}):
        mine = [runs[key] for key in sorted(runs) if key[0] == task]  # by seed
        errors = np.array([m[0] for m in mine])
        best = int(np.argmax([m[1] for m in mine]))  # lowest seed of ties
        per_task[task] = {"errors": errors, "best": float(errors[best])}
    return {"tasks": per_task, "data": ", ".join(sorted(data))}


def error_figure(runs: dict):
    tasks = sorted({t for run in runs.values() for t in run["tasks"]})
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(tasks) + 2), 3.5))
    width = 0.8 / len(runs)
    for k, (name, run) in enumerate(runs.items()):
        x = np.arange(len(tasks)) + (k - (len(runs) - 1) / 2) * width
        best = [run["tasks"].get(t, {}).get("best", np.nan) for t in tasks]
        ax.bar(x, best, width, label=f"{name} (best of seeds)", alpha=0.8)
        for xi, t in zip(x, tasks):
            if t in run["tasks"]:
                errors = run["tasks"][t]["errors"]
                ax.plot(np.full(len(errors), xi), errors, "k.", ms=3)
    ax.axhline(SOLVED, color="k", ls="--", lw=0.8, label="5 % (solved)")
    for (name, (mean, failed)), style in zip(COMPARATORS.items(), (":", "-.", (0, (5, 2)))):
        ax.axhline(mean, color="gray", ls=style, lw=0.8, label=f"{name} mean {mean} %")
        for t in failed:
            if t in tasks:
                ax.annotate(name, (tasks.index(t), 100), fontsize=6, ha="center", va="top", rotation=90, color="gray")
    ax.set_xticks(range(len(tasks)), [str(t) for t in tasks])
    ax.set_xlabel("bAbI task")
    ax.set_ylabel("test error (%)")
    ax.set_ylim(0, 100)
    data = ", ".join(sorted({run["data"] for run in runs.values()}))
    ax.set_title(f"H-Mem on {data} (the comparators: bAbI 10k, published)", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    return fig


def table(runs: dict) -> str:
    tasks = sorted({t for run in runs.values() for t in run["tasks"]})
    head = "| task | " + " | ".join(f"{name} best | {name} median" for name in runs) + " |"
    lines = [head, "|" + "---|" * (1 + 2 * len(runs))]
    for t in tasks:
        cells = []
        for run in runs.values():
            found = run["tasks"].get(t)
            cells += [f"{found['best']:.1f}", f"{np.median(found['errors']):.1f}"] if found else ["", ""]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    for name, run in runs.items():
        best = np.array([r["best"] for r in run["tasks"].values()])
        lines.append(f"\n{name} ({run['data']}): {int((best <= SOLVED).sum())} of {len(best)} tasks solved "
                     f"(best-of-seeds error at most {SOLVED:g} %), mean error {best.mean():.1f} %")
    return "\n".join(lines)


def _runs(base, rbw=()) -> dict:
    runs = {"H-Mem": load(*base)}
    if rbw:
        runs["H-Mem rbw"] = load(*rbw)
    return runs


def figures(folder) -> list:
    return [("babi_error", error_figure(_runs([folder])))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", nargs="+", help="results folders of H-Mem")
    parser.add_argument("--rbw", nargs="+", default=(), help="results folders of H-Mem with read-before-write")
    parser.add_argument("--out", help="folder for the figures (default the first BASE/figures)")
    args = parser.parse_args(argv)
    try:
        runs = _runs(args.base, args.rbw)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    out = Path(args.out or Path(args.base[0]) / "figures")
    common.save(error_figure(runs), out, "babi_error")
    print(table(runs))
    print(f"figures in {out}")


if __name__ == "__main__":
    main()
