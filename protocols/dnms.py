"""Train Miconi's reservoir on delayed non-match-to-sample (DNMS).

    python protocols/dnms.py                      # one run, preset miconi2017, seed 1
    python protocols/dnms.py --seeds 1-20 --jobs 2 --trials 3000 --out results/dnms-20

Source: Miconi T. (2017) eLife 6:e20899, Fig. 1. Criterion: 95 % of 100 successive trials with
error < 1 (paper: median 843 trials, IQR 692-1125, over 20 runs).
"""

import dataclasses
import sys

import numpy as np

from networks.reservoir import PRESETS, preset
from protocols import results, runner
from protocols.reservoir_training import (
    build_network,
    test_traces,
    train,
    trials_to_criterion,
)
from protocols.tasks import DNMS


def make_config(preset_name="miconi2017", trials=3000, sparseness=None) -> dict:
    """The resolved configuration of a DNMS run (everything but the seed)."""
    overrides = {} if sparseness is None else {"sparseness": sparseness}
    settings = preset(preset_name, **overrides)
    task = DNMS()
    return {
        "protocol": "dnms",
        "preset": preset_name,
        "trials": trials,
        "reservoir": dataclasses.asdict(settings),
        "task": {"timing": task.timing, "target": task.target},
        "versions": results.versions(),
    }


def _settings(config):
    fields = dict(config["reservoir"])
    fields["bias_units"] = tuple(tuple(unit) for unit in fields["bias_units"])
    return preset(config["preset"], **fields)


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train one network with ``seed``; write its results folder to ``out``; return a summary."""
    settings = _settings(config)
    task = DNMS(**config["task"])
    with results.results_folder(out, overwrite=True) as folder:
        net = build_network(settings, task, seed)
        rng = np.random.default_rng([seed, 1])
        before = test_traces(net, task, rng)
        records = train(net, task, config["trials"], rng, progress=progress, desc=f"DNMS seed {seed}")
        after = test_traces(net, task, rng)
        reached = trials_to_criterion(records["error"])
        last = records[-min(len(records), 400):]
        summary = {
            "seed": seed,
            "trials_to_criterion": reached,
            "final_error": float(np.mean(last["error"])),
            "final_correct": float(np.mean(last["error"] < 1.0)),
        }
        results.write_json(folder / "config.json", {**config, "seed": seed})
        results.write_records(folder / "trials.csv", records)
        results.write_json(folder / "summary.json", summary)
        np.savez_compressed(folder / "weights.npz", w_rec=net.recurrent_weights())
        np.savez_compressed(
            folder / "traces.npz",
            before=before,
            after=after,
            types=np.array(task.trial_types),
            response_start=task.response.start,
        )
    return summary


def main(argv=None):
    parser = runner.base_parser(__doc__.split("\n")[0], PRESETS, 3000, "results/dnms")
    parser.add_argument("--sparseness", type=float, help="connection probability p in (0, 1]")
    args = parser.parse_args(argv)
    try:
        runner.check_common(args, PRESETS)
        config = make_config(args.preset, args.trials, args.sparseness)
        seeds = runner.parse_seeds(args.seeds) if args.seeds else None
    except ValueError as error:
        parser.error(str(error))
    if seeds is None:
        summary = run(config, args.seed, args.out, progress=not args.quiet)
        rows = [summary]
    else:
        build_network(_settings(config), DNMS(**config["task"]), seeds[0])  # warm the cache
        rows = runner.run_seeds(run, config, seeds, args.out, jobs=args.jobs, progress=not args.quiet)
    for row in rows:
        reached = row["trials_to_criterion"]
        verdict = f"criterion reached at trial {reached}" if reached else "criterion not reached"
        print(f"seed {row['seed']}: {verdict} (final error {row['final_error']:.3f})")
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
