"""AuGMEnT training throughput on 12AX and saccade/antisaccade, one process, one thread.

    python benchmarks/augment_throughput.py [--trials 2000] [--repeats 3]

Ours: the ANNarchy network (protocols.learning.augment, learning and exploration on, the
protocols' presets: 12AX martinolli2018 hybrid with annealed gain, saccade rombouts2015).
Baseline, measured in the same run: the numpy reference of tests/reference_augment.py (one
matrix product per layer per step, like the original codes) playing the same tasks with the
same policy. Repeats alternate between the two; medians are reported (trials and steps per
second of wall time, trials per second of the process's CPU time), with the ratio of the
wall-time rates.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from networks.augment import draw_weights, retention_per_unit, preset
from protocols.learning import augment as td
from protocols.tasks.augment import Saccade, TwelveAX
from protocols.learning.policies import Policy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ is not installed
from tests.reference_augment import Reference  # noqa: E402

CASES = {
    "12AX": (TwelveAX, preset("martinolli2018", retention=(0.7, 1.0)), 10.0),
    "saccade": (Saccade, preset("rombouts2015"), 0.0),
}


def ours(task, settings, gain):
    player = td.Player(td.build_network(settings, task, 1), task)
    policy = dict(kind="max-boltzmann", eps=settings.eps, gain_annealing=gain,
                  eps_annealing=False)

    def run(n, rng):
        records, _ = td.train(player, task, {"trials": n, "policy": policy}, rng,
                                            progress=False)  # fewer trials at the criterion
        return len(records), int(records["steps"].sum())

    return run


def baseline(task, settings, gain):
    weights = draw_weights(settings, len(task.inputs), np.random.default_rng(1))
    ref = Reference(weights, retention_per_unit(settings.retention, settings.n_memory),
                    beta=settings.beta, lam=settings.lam, gamma=settings.gamma,
                    theta=settings.theta, bias=settings.bias,
                    binary=settings.transients == "binary",
                    symmetric=settings.feedback == "symmetric")

    def run(n, rng):
        policy, steps = Policy("max-boltzmann", rng, eps=settings.eps, gain_annealing=gain), 0
        for index in range(n):
            policy.set_trial(index)
            trial, reward = task.new_trial(rng), 0.0
            while not trial.done:
                reward = trial.step(ref.step(trial.observation(), policy, reward))
                steps += 1
            ref.end_trial(reward)
        return n, steps

    return run


def measure(run, trials, rng):
    """(trials/s, steps/s) of wall time, and trials per second of this process's CPU time
    (the rate on an idle core when other processes share the machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    trials, steps = run(trials, rng)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return trials / seconds, steps / seconds, trials / cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'task':8} {'ours trials/s':>14} {'steps/s':>9} {'per CPU s':>10} "
          f"{'numpy trials/s':>15} {'steps/s':>9} {'per CPU s':>10} {'ratio':>6}")
    for name, (make_task, settings, gain) in CASES.items():
        task, rng = make_task(), np.random.default_rng(0)
        runs = {"ours": ours(task, settings, gain), "numpy": baseline(task, settings, gain)}
        for run in runs.values():
            run(20, rng)  # warm-up
        rates = {key: [] for key in runs}
        for _ in range(args.repeats):
            for key, run in runs.items():
                rates[key].append(measure(run, args.trials, rng))
        (ot, os_, oc), (nt, ns, nc) = (tuple(map(statistics.median, zip(*rates[k])))
                                       for k in runs)
        print(f"{name:8} {ot:14.0f} {os_:9.0f} {oc:10.0f} {nt:15.0f} {ns:9.0f} {nc:10.0f} "
              f"{ot / nt:6.2f}")


if __name__ == "__main__":
    main()
