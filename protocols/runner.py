"""Command-line conventions shared by the protocols, and runs over many seeds.

Seeds run through a ``concurrent.futures.Executor``: a local process pool by default, any
other executor (a cluster's) by passing it to :func:`run_seeds`. All workers share one build:
the first compiles it under the cache's file lock, the others wait and reuse it, and each
worker derives its later networks from its first one without compiling.
"""

import argparse
import concurrent.futures
import multiprocessing
from pathlib import Path

from tqdm import tqdm

from protocols import results


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
    parser.add_argument("--preset", default=default_preset, help=f"one of {sorted(presets)}")
    parser.add_argument(
        *trials_flags, dest="trials", type=int, default=default_trials, metavar="N",
        help=f"{trials_help} (default {default_trials})",
    )
    parser.set_defaults(trials_flag=trials_flags[0])
    parser.add_argument("--seed", type=int, default=1, help="seed of a single run")
    parser.add_argument("--seeds", help="several seeds, e.g. 1-20 or 1,3,5 (overrides --seed)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for --seeds")
    parser.add_argument("--out", default=default_out, help="results folder")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def check_common(args, presets):
    """One clear error for a bad common option."""
    if args.preset not in presets:
        raise ValueError(f"unknown preset {args.preset!r}; choose one of {sorted(presets)}.")
    if args.trials <= 0:
        raise ValueError(f"{args.trials_flag} must be a positive number, got {args.trials}.")
    if args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {args.jobs}.")
    if args.seed < 0:
        raise ValueError(f"--seed must be non-negative, got {args.seed}.")
    results.check_out(args.out, args.overwrite)


def run_seeds(run, config: dict, seeds, out, *, jobs=1, executor=None, progress=True):
    """Run ``run(config, seed, folder, progress=False)`` for each seed; write summary.csv.

    Each seed gets ``out/seed-NNN`` (written atomically); ``out/summary.csv`` holds one row
    per seed (the dicts that ``run`` returns) and is written last.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    folders = [out / f"seed-{seed:03d}" for seed in seeds]
    own = executor is None and jobs > 1
    if own:
        executor = concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn")
        )
    try:
        if executor is None:
            rows = [run(config, s, f, progress=False) for s, f in tqdm(list(zip(seeds, folders)), desc="seeds", disable=not progress)]
        else:
            futures = [executor.submit(run, config, s, f, progress=False) for s, f in zip(seeds, folders)]
            for _ in tqdm(concurrent.futures.as_completed(futures), total=len(futures), desc="seeds", disable=not progress):
                pass
            rows = [future.result() for future in futures]
    finally:
        if own:
            executor.shutdown(cancel_futures=True)
    partial = out / "summary.csv.partial"
    results.write_rows(partial, rows)
    partial.rename(out / "summary.csv")
    return rows


def report_criterion(row: dict) -> str:
    """One line per seed: where the criterion was reached, and the final error."""
    reached = row["trials_to_criterion"]
    verdict = f"criterion reached at trial {reached}" if reached else "criterion not reached"
    return f"seed {row['seed']}: {verdict} (final error {row['final_error']:.3f})"


def main(
    argv, *, description, presets, default_trials, default_out, make_config, run,
    extra_options=(), report=report_criterion, **parser_options,
):
    """The command of a protocol: parse, check, run one seed or many, print the outcome.

    ``make_config(args)`` resolves the configuration; ``run(config, seed, out, progress)`` is
    the protocol's top-level (picklable) function; ``extra_options`` are
    ``(flag, argparse keywords)`` pairs; ``report(row)`` is the line printed per seed;
    ``parser_options`` go to :func:`base_parser` (``default_preset``,
    ``trials_flags``, ``trials_help``).
    """
    parser = base_parser(description, presets, default_trials, default_out, **parser_options)
    for flag, options in extra_options:
        parser.add_argument(flag, **options)
    args = parser.parse_args(argv)
    try:
        check_common(args, presets)
        config = make_config(args)
        seeds = parse_seeds(args.seeds) if args.seeds else [args.seed]
    except ValueError as error:
        parser.error(str(error))
    if args.seeds is None:
        rows = [run(config, args.seed, args.out, progress=not args.quiet)]
    else:
        rows = run_seeds(run, config, seeds, args.out, jobs=args.jobs, progress=not args.quiet)
    for row in rows:
        print(report(row))
    print(f"results in {args.out}")
    return 0
