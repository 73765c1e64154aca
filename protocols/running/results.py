"""Results folders: written under a temporary name, renamed when complete.

A finished run is a folder with config.json (the resolved configuration), per-trial metrics
(trials.csv), summary.json, the final weights and recordings (npz). An interrupted run leaves
no folder under the final name: only a ``.partial`` folder that the next run replaces (or that
``--resume`` continues). A folder that replaces an older one takes its place in one step
(:func:`publish`).
"""

import contextlib
import csv
import ctypes
import errno
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np


class InputError(ValueError):
    """Bad input found only once a run starts (a data file that cannot be read, a cluster
    that does not answer): one sentence naming it, shown as a usage error."""


def check_out(out, overwrite=False) -> Path:
    """Fail fast (before any simulation) if ``out`` cannot receive a results folder."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a folder path.")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ValueError(f"--out {out} already holds results; pass --overwrite or another --out.")
    return out


def new_run_folder(parent) -> Path:
    """A folder name under ``parent`` that does not exist yet: the date and time, then -2, -3..."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder, n = Path(parent) / stamp, 1
    while folder.exists() or staging(folder).exists():
        n += 1
        folder = Path(parent) / f"{stamp}-{n}"
    return folder


def staging(out) -> Path:
    """Where a folder is built before it takes the name ``out``."""
    out = Path(out)
    return out.with_name(out.name + ".partial")


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 with RENAME_EXCHANGE); False if unsupported."""
    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform.startswith("linux") else None
    if rename is None:
        return False
    at_cwd, exchange = -100, 2
    if rename(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS):  # a file system that cannot swap
        return False
    raise OSError(ctypes.get_errno(), f"cannot swap {first} and {second}")


def publish(built, out):
    """Give the complete folder ``built`` the name ``out``, replacing any folder there.

    The old folder stays under ``out`` until the new one takes its place in one step (an
    atomic exchange where the system has one), so ``out`` never holds a mix of both and is
    never missing while an old one existed; the old one is then deleted."""
    built, out = Path(built), Path(out)
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
    if not out.exists():
        built.rename(out)
        return
    if _exchange(built, out):
        shutil.rmtree(built)
        return
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    out.rename(old)
    built.rename(out)
    shutil.rmtree(old)


@contextlib.contextmanager
def _published(partial: Path, out: Path):
    """Yield ``partial``; it becomes ``out`` if the block completes, else it is deleted."""
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    publish(partial, out)


@contextlib.contextmanager
def results_folder(out, overwrite=False):
    """Yield a temporary folder that becomes ``out`` only if the block completes."""
    out = check_out(out, overwrite)
    partial = staging(out)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with _published(partial, out) as folder:
        yield folder


@contextlib.contextmanager
def rewrite_folder(out):
    """Yield a copy of the finished folder ``out`` to change; it replaces ``out`` only if the
    block completes (:func:`publish`), so a failure leaves ``out`` as it was."""
    out = Path(out)
    partial = staging(out)
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(out, partial)
    with _published(partial, out) as folder:
        yield folder


def seed_folders(out) -> list:
    """The finished seed folders of a many-seed results folder: those its summary.csv lists
    (a run that failed has no folder), or every complete ``seed-NNN`` if there is none."""
    out = Path(out)
    if (out / "summary.csv").is_file():
        seeds = read_records(out / "summary.csv")["seed"]
        folders = [out / f"seed-{int(seed):03d}" for seed in seeds]
        return [folder for folder in folders if folder.is_dir()]
    return sorted(p for p in out.glob("seed-*[0-9]") if p.is_dir())


def versions() -> dict:
    """Versions that a result depends on, for config.json."""
    import ANNarchy

    return {"annarchy": ANNarchy.__release__, "numpy": np.__version__, "python": sys.version.split()[0]}


def write_json(path, data):
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2, default=_plain)
        handle.write("\n")


def as_json(data):
    """``data`` as it reads back from a JSON file that :func:`write_json` wrote."""
    return json.loads(json.dumps(data, default=_plain))


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
    return _typed({name: [row[k] for row in rows[1:]] for k, name in enumerate(rows[0])})


def columns(rows: list) -> dict:
    """Summary rows (dicts, e.g. read from summary.json files) as the columns that
    :func:`read_records` gives for the CSV of the same rows; a missing value is empty."""
    names = dict.fromkeys(name for row in rows for name in row)
    return _typed({name: ["" if row.get(name) is None else str(row[name]) for row in rows] for name in names})


def _typed(cells: dict) -> dict:
    """Columns of CSV cells as numbers (empty: NaN) where every cell is one, else as text."""
    typed = {}
    for name, values in cells.items():
        try:
            typed[name] = np.array([float(v) if v != "" else np.nan for v in values])
        except ValueError:
            typed[name] = np.array(values)
    return typed


def write_rows(path, rows: list):
    """A list of dicts as CSV (None becomes an empty cell)."""
    names = list(rows[0]) if rows else []
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
