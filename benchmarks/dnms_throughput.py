"""DNMS training throughput of our protocol against the seed notebook's structure.

    python benchmarks/dnms_throughput.py [--trials 200] [--repeats 3] [--learning-seeds 0]

Both run in this process, one thread, N = 200, at p = 0.1 and p = 1.0, with the notebook's
values (eta 0.5, learning on every trial); ours also with the learning rule as ANNarchy
equations (``kernel="equations"``) instead of the default C++ kernel, for comparison.
Repeats alternate between the three and the median is reported. The last line holds the two
speed ratios (ours / baseline). Also reported: the time of a first compile into an empty cache
and of a cached start, each in a fresh process.
With --learning-seeds K, both are also trained to Miconi's criterion on K seeds (p = 0.1) to
show that the learning is alike.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import notebook_baseline
from networks import cache
from networks.reservoir import preset
from protocols.analysis.criteria import trials_to_criterion
from protocols.learning import node_perturbation
from protocols.tasks.miconi import DNMS

ROOT = Path(__file__).resolve().parents[1]


def ours(p, seed=1, **overrides):
    config = preset("notebook", density=p, **overrides)
    task = DNMS()
    net = node_perturbation.build_network(config, task, seed)
    return lambda n, rng: node_perturbation.train(net, task, n, rng, progress=False)


def baseline(p, seed=1, **options):
    net = cache.build(notebook_baseline.NotebookNetwork, seed=seed, n_neurons=200, density=p)
    options.setdefault("learning_after", -1)
    return lambda n, rng: notebook_baseline.train(net, n // 4, rng, **options)


def rate(run, trials, rng):
    start = time.perf_counter()
    run(trials, rng)
    return trials / (time.perf_counter() - start)


def throughput(trials, repeats):
    rows = []
    for p in (0.1, 1.0):
        runs = {
            "ours": ours(p, learning_start=0),
            "equations": ours(p, learning_start=0, kernel="equations"),
            "baseline": baseline(p),
        }
        rng = np.random.default_rng(0)
        for run in runs.values():
            run(8, rng)  # warm-up
        n = trials if p < 1 else max(8, trials // 4 // 4 * 4)  # p = 1 is ~4x slower
        rates = {name: [] for name in runs}
        for _ in range(repeats):
            for name, run in runs.items():
                rates[name].append(rate(run, n, rng))
        rows.append((p, *(statistics.median(rates[name]) for name in runs)))
    return rows


STARTUP = """
import time, numpy as np
t0 = time.perf_counter()
from networks.reservoir import preset
from protocols.learning import node_perturbation
from protocols.tasks.miconi import DNMS
net = node_perturbation.build_network(preset("miconi2017"), DNMS(), 1)
print(net.build_event, net.build_seconds, time.perf_counter() - t0)
"""


def startup():
    """(event, compile-call seconds, seconds from process start to a ready network) for a first
    compile into an empty cache, then a cached start, each in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, cache.CACHE_ENV: folder}
        times = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", STARTUP], cwd=ROOT, env=env, capture_output=True, text=True, check=True
            ).stdout.split()
            times.append((out[-3], float(out[-2]), float(out[-1])))
    return times


def learning(seeds, max_trials):
    """Trials to criterion of both implementations, notebook values at p = 0.1, as each
    implementation starts learning (ours after trial 104, the notebook's after set 25)."""
    found = {"ours": [], "baseline": []}
    for seed in seeds:
        config = preset("notebook")
        task = DNMS()
        net = node_perturbation.build_network(config, task, seed)
        rng = np.random.default_rng([seed, 1])
        records = node_perturbation.train(net, task, max_trials, rng, False, stop_at_criterion=True)
        found["ours"].append(trials_to_criterion(records["error"]))
        run = baseline(0.1, seed, learning_after=25, until=trials_to_criterion)
        errors = run(max_trials, np.random.default_rng([seed, 1]))
        found["baseline"].append(trials_to_criterion(errors.ravel()))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=200, help="timed trials per repeat at p = 0.1")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--learning-seeds", type=int, default=0)
    parser.add_argument("--max-trials", type=int, default=3000)
    args = parser.parse_args(argv)

    for event, build, total in startup():
        print(f"start-up: {event}: compile call {build:.2f} s, process to network {total:.2f} s")
    if args.learning_seeds:
        found = learning(range(1, args.learning_seeds + 1), args.max_trials)
        for name, values in found.items():
            reached = [v for v in values if v is not None]
            median = statistics.median(reached) if reached else None
            print(f"learning {name}: {len(reached)}/{len(values)} reached, median {median}, {values}")
    rows = throughput(args.trials, args.repeats)
    print(f"{'p':>5} {'ours (trials/s)':>16} {'equations kernel':>17} {'baseline':>9} {'ratio':>6}")
    for p, ours_rate, equations_rate, base_rate in rows:
        print(
            f"{p:>5} {ours_rate:>16.1f} {equations_rate:>17.1f} {base_rate:>9.1f} "
            f"{ours_rate / base_rate:>6.2f}"
        )
    print("ratios: " + ", ".join(f"p={p} {o / b:.2f}" for p, o, _, b in rows))


if __name__ == "__main__":
    main()
