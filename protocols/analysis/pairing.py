"""Seed-paired comparisons of trained networks across conditions (Orhan & Ma's factor study).

Two summaries (rows of summary.csv: task, lambda0, sigma0, seed, included, si, ...) are paired
network by network on (task, lambda0, sigma0, seed): the same initial weights and trials, one
condition changed. A pair counts only where both networks are included (fractional loss < 0.5,
the paper's rule). Reported per column (SI and its two terms): the number of pairs, the median
of (condition - basic), how many pairs are higher and lower, and each side's included fraction.
"""

import numpy as np

KEYS = ("task", "lambda0", "sigma0", "seed")


def _networks(rows, keys=KEYS) -> dict:
    """{(task, lambda0, sigma0, seed): row} of summary rows given as columns."""
    n = len(rows["task"])
    return {tuple(_plain(rows[k][i]) for k in keys): {k: rows[k][i] for k in rows} for i in range(n)}


def _plain(value):
    return str(value) if isinstance(value, (str, np.str_)) else float(value)


def is_included(value) -> bool:
    """An ``included`` cell of summary.csv (True, or "True" as read back) as a bool."""
    return str(value) == "True"


def _included(row) -> bool:
    return is_included(row["included"])


def paired(basic, other, columns=("si", "entropy", "ridge_to_background"), keys=KEYS) -> dict:
    """Seed-paired differences of ``other`` against ``basic`` (summary columns, as read by
    :func:`protocols.running.results.read_records`), networks paired on ``keys``."""
    first, second = _networks(basic, keys), _networks(other, keys)
    common = sorted(set(first) & set(second))
    both = [k for k in common if _included(first[k]) and _included(second[k])]
    result = {
        "networks": len(common),
        "pairs": len(both),
        "included_basic": float(np.mean([_included(first[k]) for k in common])) if common else float("nan"),
        "included_other": float(np.mean([_included(second[k]) for k in common])) if common else float("nan"),
    }
    for column in columns:
        d = np.array([float(second[k][column]) - float(first[k][column]) for k in both])
        result[column] = {
            "median_difference": float(np.median(d)) if len(d) else float("nan"),
            "higher": int((d > 0).sum()), "lower": int((d < 0).sum()),
        }
    return result


def by_factor(rows, factor, first, second, **options) -> dict:
    """Within one summary, the networks with ``factor`` = ``second`` against their pairs with
    ``factor`` = ``first`` (e.g. sigma0 0.4 against 0, or task comp against 2afc), paired on
    the other keys (``condition`` among them in a run of several conditions, so that
    ``factor`` may be the condition itself)."""
    keys = tuple(k for k in (*KEYS, "condition") if k != factor and k in rows)  # a factor study: its condition too
    values = np.array([_plain(v) for v in rows[factor]])
    pick = lambda value: {k: np.asarray(v)[values == _plain(value)] for k, v in rows.items()}  # noqa: E731
    if isinstance(rows[factor][0], (str, np.str_)):
        first, second = str(first), str(second)
    else:
        first, second = float(first), float(second)
    return paired(pick(first), pick(second), keys=keys, **options)
