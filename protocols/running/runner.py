"""Command-line conventions shared by the protocols, and runs over many seeds.

Seeds run through a ``concurrent.futures.Executor`` (:func:`executor`): this process, a local
process pool (``--jobs``) or a Dask client's executor (``--cluster``); any other executor can
be passed to :func:`run_seeds`. All workers share one build: the first compiles it under the
cache's file lock, the others wait and reuse it, and each worker derives its later networks
from its first one without compiling. A many-seed run is built in ``OUT.partial`` and published
when every seed has ended; failed seeds are rows with their error; ``--resume`` continues.
"""

import argparse
import concurrent.futures
import concurrent.futures.process
import contextlib
import importlib
import itertools
import multiprocessing
import os
import shutil
import sys
import threading
from pathlib import Path

from tqdm import tqdm

from protocols.running import results


def parse_seeds(text: str) -> list:
    """'7' -> [7]; '1-20' -> [1..20]; '1,4,9-11' -> [1, 4, 9, 10, 11]."""
    seeds = []
    try:
        for part in text.split(","):
            first, _, last = part.partition("-")
            seeds += list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise ValueError(f"--seeds {text!r} is not a list like 7, 1-20 or 1,4,9-11.") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds {text!r} must name distinct non-negative seeds.")
    return seeds


def base_parser(
    description, presets, default_trials, default_out, default_preset="miconi2017",
    trials_flags=("--trials",), trials_help="training trials",
) -> argparse.ArgumentParser:
    """The options every protocol takes (the training budget under ``trials_flags``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--preset", default=default_preset,
                        help=f"one of {sorted(presets)} (default {default_preset})")
    parser.add_argument(
        *trials_flags, dest="trials", type=int, default=default_trials, metavar="N",
        help=f"{trials_help} (default {default_trials})",
    )
    parser.set_defaults(trials_flag=trials_flags[0], default_out=default_out)
    parser.add_argument("--seeds", "--seed", dest="seeds", default="1", metavar="SEEDS",
                        help="one seed or several, e.g. 7, 1-20 or 1,3,5 (default 1); every run, "
                        "of one seed or many, writes the same layout")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1: this one)")
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="run the seeds on a Dask scheduler (tcp://host:8786) or on a local "
                        "Dask cluster of K workers (local:K)")
    parser.add_argument("--out", help=f"results folder (default: a new folder under {default_out}/)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run in --out (seeds already done are kept)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def check_common(args, presets):
    """One clear error for a bad common option; resolves ``args.out``."""
    if args.preset not in presets:
        raise ValueError(f"unknown preset {args.preset!r}; choose one of {sorted(presets)}.")
    if args.trials <= 0:
        raise ValueError(f"{args.trials_flag} must be a positive number, got {args.trials}.")
    if args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {args.jobs}.")
    if args.jobs > 1 and args.cluster:
        raise ValueError("--jobs and --cluster both choose the workers; give one of them.")
    if args.overwrite and args.resume:
        raise ValueError("--overwrite starts afresh and --resume continues; give one of them.")
    if args.cluster:
        parse_cluster(args.cluster)
    if args.out is None:
        if args.resume:
            raise ValueError("--resume needs the --out folder of the run to continue.")
        args.out = str(results.new_run_folder(args.default_out))
    results.check_out(args.out, args.overwrite or args.resume)


def parse_cluster(text: str):
    """'local:K' -> K (workers of a local Dask cluster); an address -> the address."""
    if text.startswith("local:"):
        workers = text[len("local:"):]
        if not workers.isdigit() or int(workers) < 1:
            raise ValueError(f"--cluster {text!r}: local:K needs a whole number of workers K >= 1.")
        return int(workers)
    if text.startswith("local") or not text.strip():
        raise ValueError(f"--cluster {text!r} is neither local:K nor a scheduler address like tcp://host:8786.")
    return text


class WorkerDied(RuntimeError):
    """The worker process that ran a task ended without an answer (killed, out of memory)."""


def core_shares(jobs: int):
    """The CPU cores of this process split into ``jobs`` disjoint shares (one per worker), or
    None where there are fewer cores than jobs or the system cannot pin (not Linux)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cores = sorted(os.sched_getaffinity(0))
    if jobs > len(cores):
        return None
    size, extra = divmod(len(cores), jobs)
    starts = [i * size + min(i, extra) for i in range(jobs + 1)]
    return [cores[starts[i]:starts[i + 1]] for i in range(jobs)]


def _pin(cores):
    """A worker's initializer: run on ``cores`` only (before JAX sizes its thread pool by them)."""
    os.sched_setaffinity(0, cores)


class WorkerPool(concurrent.futures.Executor):
    """``jobs`` worker processes, each behind its own one-process pool: a worker that dies
    fails only the task it ran, with :class:`WorkerDied` (Python's shared process pool would fail
    them all), and the next task on that slot gets a new worker. Workers are reused from task to task.

    Where the machine has at least ``jobs`` cores, each worker runs on its own share of them
    (:func:`core_shares`; the shares cover every core, so several pools at once still spread
    over all of them): JAX's CPU backend then sizes its threads to the share instead of
    spreading each worker's small products over every core, and 2 single-core BPTT trainings
    side by side make 1.1x the updates of the same two unpinned (2 cores, benchmarks/bptt_throughput.py)."""

    def __init__(self, jobs, pin=True):
        self._slots = concurrent.futures.ThreadPoolExecutor(jobs)
        self._local = threading.local()
        self._workers = []
        self._shares = core_shares(jobs) if pin else None
        self._next_slot = itertools.count()

    def submit(self, fn, /, *args, **kwargs):
        return self._slots.submit(self._in_worker, fn, args, kwargs)

    def _in_worker(self, fn, args, kwargs):
        worker = getattr(self._local, "worker", None)
        if worker is None:
            if not hasattr(self._local, "slot"):
                self._local.slot = next(self._next_slot)
            pin = {} if self._shares is None else {"initializer": _pin, "initargs": (self._shares[self._local.slot],)}
            worker = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), **pin)
            self._local.worker = worker
            self._workers.append(worker)
        try:
            return worker.submit(fn, *args, **kwargs).result()
        except concurrent.futures.process.BrokenProcessPool:
            self._local.worker = None
            raise WorkerDied("its worker process died") from None

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._slots.shutdown(wait, cancel_futures=cancel_futures)
        for worker in self._workers:
            worker.shutdown(wait, cancel_futures=cancel_futures)


@contextlib.contextmanager
def executor(jobs=1, cluster=None):
    """The executor of a many-seed run: None (this process) for one job, a
    :class:`WorkerPool` for ``jobs`` > 1, a Dask client's executor for ``cluster``
    (:func:`parse_cluster`)."""
    if cluster is None:
        if jobs == 1:
            yield None
            return
        with WorkerPool(jobs) as pool:
            yield pool
        return
    try:
        import distributed
    except ImportError:
        raise results.InputError("--cluster needs Dask: pip install -e '.[cluster]'.") from None
    target = parse_cluster(cluster)
    with contextlib.ExitStack() as stack:
        if isinstance(target, int):
            target = stack.enter_context(
                distributed.LocalCluster(n_workers=target, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            )
        try:
            client = stack.enter_context(distributed.Client(target, timeout="10s"))
        except OSError as error:
            raise results.InputError(f"--cluster {cluster!r}: no Dask scheduler answered ({error}).") from None
        yield client.get_executor()


def _failure(key, error) -> dict:
    """The summary row of a job whose run raised ``error``: its key (a seed, or a dict of
    the values that name the job) and the error."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    fields = dict(key) if isinstance(key, dict) else {"seed": key}
    return {**fields, "error": f"{type(error).__name__}: {message}" if message else type(error).__name__}


def _checked(row: dict) -> dict:
    """A job's summary row, refused if it has the column that marks a failed job."""
    if "error" in row:
        raise ValueError("a job's summary has a column 'error', the name that marks a failed job; rename it")
    return row


def _done(folder: Path):
    """The summary of a finished seed folder, or None."""
    summary = folder / "summary.json"
    return _checked(results.read_json(summary)) if summary.is_file() else None


def _same_config(staged: Path, out: Path, config: dict):
    """Record ``config`` in a many-seed folder, or check that it is the recorded one (of the
    staged run, else of the finished run in ``out``)."""
    path = staged / "config.json"
    if not path.exists() and (out / "config.json").exists():
        shutil.copyfile(out / "config.json", path)
    if not path.exists():
        results.write_json(path, config)
        return
    saved, given = results.read_json(path), results.as_json(config)
    differ = sorted(k for k in saved.keys() | given.keys() if saved.get(k) != given.get(k))
    if differ:
        raise results.InputError(
            f"--resume: the run in {out} had other settings ({', '.join(differ)}); "
            "give the same options or another --out."
        )


def run_seeds(run, config: dict, seeds, out, **options):
    """Run ``run(config, seed, folder, progress)`` for each seed, in ``seed-NNN`` folders
    (:func:`run_jobs`). Returns the rows."""
    return run_jobs(run, config, {f"seed-{seed:03d}": seed for seed in seeds}, out, **options)


def run_jobs(run, config: dict, jobs: dict, out, *, executor=None, progress=True, resume=False, together=None):
    """Run ``run(config, key, folder, progress)`` for each job; write summary.csv.

    ``jobs`` maps a folder name to the job's key (a seed, or a dict of the values that name
    the job, e.g. task, lambda0, sigma0 and seed). The run is built in ``out.partial`` and
    replaces ``out`` when all jobs have ended (:func:`protocols.running.results.publish`).
    Each job gets its folder (written atomically); ``summary.csv`` holds one row per job (the
    dicts that ``run`` returns) in the order of ``jobs``. A job whose run raises gets a row
    with its key and ``error``; the other jobs go on. With ``resume``, jobs whose folders are
    complete (in ``out.partial`` left by an interrupted run, or in ``out``) are not run again.
    ``executor`` is a ``concurrent.futures.Executor`` (None: in this process, one after the
    other, or all at once through ``together(config, keys, folders, pending, progress) -> rows``
    where given, e.g. a vmapped grid: it gets every job, so that a resumed run can train the
    same grid again, and returns the rows of those ``pending``). A resumed run also takes over
    the other folders that an earlier run left in ``out`` (checkpoints). The progress bar
    counts jobs, or the work of a single job run in this process. Returns the rows.
    """
    out = Path(out)
    staged = results.staging(out)
    if not resume:
        shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True, exist_ok=True)
    _same_config(staged, out, config)
    folders = {name: staged / name for name in jobs}
    if resume and out.is_dir():  # what a run that ended with failures left: done jobs, checkpoints
        for entry in out.iterdir():
            kept = _done(entry) is not None if entry.name in folders else entry.is_dir()
            if kept and not (staged / entry.name).exists():
                shutil.copytree(entry, staged / entry.name)
    rows = {name: _done(folder) for name, folder in folders.items()}
    todo = [name for name in jobs if rows[name] is None]
    alone = executor is None and (len(jobs) == 1 or together is not None)
    seeds_only = all(isinstance(key, int) for key in jobs.values())
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), desc="seeds" if seeds_only else "jobs",
               disable=not progress or alone)
    with bar:
        if executor is None and together is not None and todo:
            try:
                done = together(config, list(jobs.values()), list(folders.values()),
                                [rows[n] is None for n in jobs], progress)
                rows.update(zip(todo, map(_checked, done)))
            except Exception as error:
                rows.update((name, _done(folders[name]) or _failure(jobs[name], error)) for name in todo)
            bar.update(len(todo))
        elif executor is None:
            for name in todo:
                try:
                    rows[name] = _checked(run(config, jobs[name], folders[name], progress=progress and alone))
                except Exception as error:
                    rows[name] = _failure(jobs[name], error)
                bar.update()
        else:
            futures = {executor.submit(run, config, jobs[name], folders[name], progress=False): name for name in todo}
            for future in concurrent.futures.as_completed(futures):
                name = futures[future]
                try:
                    rows[name] = _checked(future.result())
                except Exception as error:
                    rows[name] = _failure(jobs[name], error)
                bar.update()
    rows = [rows[name] for name in jobs]
    columns = dict.fromkeys(name for row in rows for name in row if name != "error")
    if any("error" in row for row in rows):
        columns["error"] = None
    results.write_rows(staged / "summary.csv", [{name: row.get(name) for name in columns} for row in rows])
    results.publish(staged, out)
    return rows


def report_criterion(row: dict) -> str:
    """One line per seed: where the criterion was reached, and the final error."""
    reached = row["trials_to_criterion"]
    verdict = f"criterion reached at trial {reached}" if reached else "criterion not reached"
    return f"seed {row['seed']}: {verdict} (final error {row['final_error']:.3f})"


def main(
    argv, *, description, presets, default_trials, default_out, make_config, run,
    extra_options=(), report=report_criterion, jobs=None, together=None, label=None,
    **parser_options,
):
    """The command of a protocol: parse, check, run one seed or many, print the outcome.

    ``make_config(args)`` resolves the configuration; ``run(config, seed, out, progress)`` is
    the protocol's top-level (picklable) function; ``extra_options`` are
    ``(flag, argparse keywords)`` pairs; ``report(row)`` is the line printed per seed;
    ``parser_options`` go to :func:`base_parser` (``default_preset``,
    ``trials_flags``, ``trials_help``). A protocol whose jobs are more than seeds gives
    ``jobs(config, seeds) -> {folder name: key}``, ``label(row)`` (how a job is named in
    messages) and optionally ``together`` (see :func:`run_jobs`). Bad input, including a data
    file that cannot be used, is one sentence and exit status 2; failed jobs give exit status 1.
    """
    parser = base_parser(description, presets, default_trials, default_out, **parser_options)
    for flag, options in extra_options:
        parser.add_argument(flag, **options)
    args = parser.parse_args(argv)
    run = importable(run)
    try:
        check_common(args, presets)
        config = make_config(args)
        seeds = parse_seeds(args.seeds)
        named = jobs(config, seeds) if jobs else {f"seed-{seed:03d}": seed for seed in seeds}
    except ValueError as error:  # results.InputError among them
        parser.error(str(error))
    label = label or (lambda row: f"seed {row['seed']}")
    try:
        with executor(args.jobs, args.cluster) as pool:
            rows = run_jobs(run, config, named, args.out, executor=pool, progress=not args.quiet,
                            resume=args.resume, together=together)
    except results.InputError as error:
        parser.error(str(error))
    failed = [row for row in rows if "error" in row]
    for row in rows:
        print(f"{label(row)}: failed ({row['error']})" if row in failed else report(row))
    print(f"results in {args.out}")
    if failed:
        what = "seeds" if jobs is None else "networks"
        names = ", ".join(label(row).removeprefix("seed ") if jobs is None else label(row) for row in failed)
        print(f"error: {len(failed)} of {len(rows)} {what} failed ({names}); summary.csv gives each "
              "error; --resume runs them again.", file=sys.stderr)
        return 1
    return 0


def importable(function):
    """``function`` as its protocol module's attribute when it was defined in a script run as
    ``__main__``, so that worker processes and Dask workers can import it by name."""
    if function.__module__ != "__main__":
        return function
    script = Path(sys.modules["__main__"].__file__)
    module = importlib.import_module(f"{script.parent.name}.{script.stem}")
    return getattr(module, function.__name__)
