"""Results folders: written under a temporary name, renamed when complete.

A finished run is a folder with config.json (the resolved configuration), per-trial metrics
(trials.csv), summary.json, the final weights and recordings (npz). An interrupted run leaves
no folder under the final name: only a ``.partial`` folder that the next run replaces.
"""

import contextlib
import csv
import json
import shutil
import sys
from pathlib import Path

import numpy as np



def check_out(out, overwrite=False) -> Path:
    """Fail fast (before any simulation) if ``out`` cannot receive a results folder."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a folder path.")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ValueError(f"--out {out} already holds results; pass --overwrite or another --out.")
    return out


@contextlib.contextmanager
def results_folder(out, overwrite=False):
    """Yield a temporary folder that becomes ``out`` only if the block completes."""
    out = check_out(out, overwrite)
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)


def versions() -> dict:
    """Versions that a result depends on, for config.json."""
    import ANNarchy

    return {"annarchy": ANNarchy.__release__, "numpy": np.__version__, "python": sys.version.split()[0]}


def write_json(path, data):
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2, default=_plain)
        handle.write("\n")


def read_json(path):
    with open(path) as handle:
        return json.load(handle)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.ndarray, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_records(path, records: np.ndarray):
    """A structured array as CSV, one row per record, column names from its fields."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(records.dtype.names)
        for row in records.tolist():
            writer.writerow([_cell(v) for v in row])


def _cell(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def read_records(path) -> dict:
    """CSV written by :func:`write_records` as a dict of numpy columns."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    columns = {}
    for k, name in enumerate(rows[0]):
        values = [row[k] for row in rows[1:]]
        try:
            columns[name] = np.array([float(v) if v != "" else np.nan for v in values])
        except ValueError:
            columns[name] = np.array(values)
    return columns


def write_rows(path, rows: list):
    """A list of dicts as CSV (None becomes an empty cell)."""
    names = list(rows[0]) if rows else []
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
