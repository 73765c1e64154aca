"""Train Orhan & Ma's ReLU networks by BPTT on short-term memory tasks; measure their sequentiality.

    python protocols/orhan_ma.py --task 2afc --updates 2000          # one network, seed 1
    python protocols/orhan_ma.py --task 2afc comp --lambda0 0.8,0.98 --sigma0 0,0.4 \\
        --seeds 1-3 --updates 5000 --out results/orhan-grid          # a grid, vmapped
    python protocols/orhan_ma.py ... --jobs 2                        # one network per worker

Source: Orhan A.E., Ma W.J. (2019) Nature Neuroscience 22:275-283 (shared/specs/orhan.md).
Each network (task, lambda0, sigma0, seed) is trained in the JAX twin and tested in the
ANNarchy network: the fractional loss against the ideal observer, inclusion (below 0.5) and
the sequentiality index with its two terms. Without --jobs or --cluster the networks of a
task train together as one vmapped computation (on a GPU when JAX sees one).
"""

import dataclasses
import sys

import numpy as np

from protocols.learning import orhan_ma
from protocols.learning.bptt import PRESETS, Training
from protocols.running import results, runner
from protocols.tasks.orhan_ma import TASKS


def _values(text, flag) -> list:
    """'0.8,0.98' -> [0.8, 0.98]; 'linspace:0.8:0.98:10' -> the paper's ten values."""
    try:
        if text.startswith("linspace:"):
            first, last, count = text.split(":")[1:]
            return [round(float(v), 6) for v in np.linspace(float(first), float(last), int(count))]
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"{flag} {text!r} is not a list like 0.9 or 0.8,0.98 or linspace:0.8:0.98:10.") from None


def _pretraining(after, tasks, pairs):
    """``--after A`` (one first task) or ``--after B1=A1,B2=A2`` (a first task per task) as
    {task: first task}, each pair one that the paper trained."""
    if "=" in after:
        try:
            first = dict(part.split("=") for part in after.split(","))
        except ValueError:
            raise ValueError(f"--after {after!r} is not a task or a list like 2afc=comp,comp=2afc.") from None
    else:
        first = {t: after for t in tasks}
    missing = [t for t in tasks if t not in first]
    if missing:
        raise ValueError(f"--after gives no first task for {missing[0]}.")
    wrong = [t for t in tasks if (first[t], t) not in pairs]
    if wrong:
        raise ValueError(f"the paper trained no {first[wrong[0]]} -> {wrong[0]} pair; its pairs are "
                         f"{', '.join(f'{a} -> {b}' for a, b in pairs)}.")
    return {t: first[t] for t in tasks}


def _condition(args, name, tasks) -> dict:
    """The training values, task options and first tasks (multitask) of condition ``name``."""
    if name not in CONDITIONS:
        raise ValueError(f"unknown condition {name!r}; choose from {', '.join(CONDITIONS)}.")
    allowed = CONDITIONS[name].get("tasks", list(TASKS))
    refused = [t for t in tasks if t not in allowed]
    if refused:
        raise ValueError(f"the paper did not run {refused[0]} in the {name} condition; it ran {', '.join(allowed)}.")
    pairs = CONDITIONS[name].get("pairs")
    first = _pretraining(args.after, tasks, pairs) if pairs and args.after else None
    if pairs and first is None:
        raise ValueError("--after names the first task of the multitask condition, which needs it.")
    training = dataclasses.replace(
        PRESETS[args.preset], updates=args.trials, hidden=args.hidden, rho=args.rho,
        stop_below=args.stop_below, report_every=min(args.report_every, args.trials),
        **CONDITIONS[name]["training"],
    ).validate()
    options = CONDITIONS[name]["task"]
    return {
        "pretrain": (first[tasks[0]] if len(set(first.values())) == 1 else first) if first else None,
        "training": dataclasses.asdict(training),
        "task_options": {t: TASKS[t](**options).options() for t in dict.fromkeys([*tasks, *(first or {}).values()])},
    }


def make_config(args) -> dict:
    unknown = [t for t in args.task if t not in TASKS]
    if unknown:
        raise ValueError(f"unknown task {unknown[0]!r}; choose from {', '.join(TASKS)}.")
    tasks = list(dict.fromkeys(args.task))
    names = list(dict.fromkeys(args.condition.split(",")))
    if args.after is not None and "multitask" not in names:
        raise ValueError("--after names the first task of the multitask condition, and only of it.")
    conditions = {name: _condition(args, name, tasks) for name in names}
    if args.test_trials < 1 or not 1 <= args.si_trials <= args.test_trials:
        raise ValueError(f"--test-trials must be positive and --si-trials in [1, test trials], "
                         f"got {args.test_trials} and {args.si_trials}.")
    lambda0, sigma0 = _values(args.lambda0, "--lambda0"), _values(args.sigma0, "--sigma0")
    if min(sigma0) < 0:
        raise ValueError(f"--sigma0 must be non-negative, got {min(sigma0)}.")
    grid = {"tasks": tasks, "lambda0": lambda0, "sigma0": sigma0}
    # one condition: its values at the top (the layout of every earlier run); several: per condition
    chosen = {"condition": names[0], **conditions[names[0]]} if len(names) == 1 else {"conditions": conditions}
    return {"protocol": "orhan_ma", "preset": args.preset, **chosen, **grid, "test_trials": args.test_trials,
            "si_trials": args.si_trials, "versions": results.versions()}


def jobs(config, seeds) -> dict:
    """One job per network: (condition x) task x lambda0 x sigma0 x seed, each in its own folder."""
    named = {}
    for condition in config.get("conditions", [None]):
        for task in config["tasks"]:
            for lam in config["lambda0"]:
                for sig in config["sigma0"]:
                    for seed in seeds:
                        key = {"task": task, "lambda0": lam, "sigma0": sig, "seed": seed}
                        name = f"{task}-lambda{lam:.3f}-sigma{sig:.3f}-seed-{seed:03d}"
                        if condition is not None:
                            key, name = {"condition": condition, **key}, f"{condition}-{name}"
                        named[name] = key
    return named


CONDITIONS = {
    "basic": {"training": {}, "task": {}},
    "hebbian": {"training": {"gamma": 7e-4}, "task": {}},  # fast weights ("model 1"), gamma fixed
    "tethered": {"training": {"activity_penalty": 0.1}, "task": {"answer_offset": 10}},
    "variable_delay": {"training": {}, "task": {"delays": [10, 40, 70, 100]},
                       "tasks": ["de1", "cd", "gde", "2afc", "comp"]},  # the original's Var* tasks
    "dynamic_input": {"training": {}, "task": {"dynamic": True},
                      "tasks": ["de1", "de2", "cd", "gde", "2afc", "comp"]},  # dynamic_input_generators.py
    "multitask": {"training": {}, "task": {}, "tasks": ["2afc", "cd", "comp"],
                  "pairs": [("cd", "2afc"), ("comp", "2afc"), ("2afc", "cd"), ("2afc", "comp")]},
}
"""The paper's training conditions built so far, as the training and task values each changes
``tasks``, where given, are the tasks the paper ran in that condition; ``pairs`` the multitask
pairs (first task, then the task whose network is analysed)."""

OPTIONS = [
    ("--condition", dict(default="basic", metavar="CONDITION[,CONDITION...]",
                         help="one or several (the factor study: one summary) of basic (default); hebbian: Hebbian fast weights, gamma 7e-4; tethered: "
                         "end-of-trial activity penalty 0.1, the answer read at step -10; variable_delay: "
                         "each trial's delay drawn from 10, 40, 70, 100 steps; dynamic_input: 50 more inputs "
                         "carry a bump sweeping the task's range over the trial; multitask: --updates on "
                         "the --after task, then as many on --task, the same network and Adam state")),
    ("--after", dict(metavar="TASK", help="multitask: the task trained first (cd, comp or 2afc), or one per "
                     "task: 2afc=comp,comp=2afc")),
    ("--task", dict(nargs="+", default=["2afc"], metavar="TASK",
                    help=f"one or more of {', '.join(TASKS)} (default 2afc)")),
    ("--lambda0", dict(default="0.9", help="diagonal of the initial W: a value, a list (0.8,0.98) or "
                       "linspace:0.8:0.98:10 (the paper's grid); default 0.9")),
    ("--sigma0", dict(default="0.2", help="off-diagonal scale of the initial W (times 1/sqrt(N)): a value, "
                      "a list or linspace:0:0.402:10 (the paper's); default 0.2")),
    ("--hidden", dict(type=int, default=Training.hidden, help="recurrent units (default 500)")),
    ("--rho", dict(type=float, default=0.0, help="L2 penalty on all parameters (default 0)")),
    ("--stop-below", dict(type=float, help="stop a network early once its fractional loss on 500 "
                          "check trials is below this at two reports running")),
    ("--report-every", dict(type=int, default=Training.report_every,
                            help="updates between training-curve rows and checkpoints (default 500)")),
    ("--test-trials", dict(type=int, default=1000, help="test trials played in ANNarchy (default 1000)")),
    ("--si-trials", dict(type=int, default=300, help="of which the first N give the SI (default 300)")),
]


def main(argv=None):
    return runner.main(
        argv,
        description=__doc__.split("\n")[0],
        presets=PRESETS,
        default_trials=Training.updates,
        default_out="results/orhan_ma",
        default_preset="orhan2019",
        make_config=make_config,
        run=orhan_ma.run,
        together=orhan_ma.run_together,
        jobs=jobs,
        label=orhan_ma.label,
        report=orhan_ma.report,
        extra_options=OPTIONS,
        trials_flags=("--updates",),
        trials_help="BPTT updates per network, batches of 50 trials (the paper's 25 001)",
    )


if __name__ == "__main__":
    sys.exit(main())
