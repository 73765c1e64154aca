"""The configurations and command-line options of the model families' protocols: each
command's options become the resolved configuration that config.json records.

Reservoir (Miconi 2017) and AuGMEnT (Rombouts 2015, Martinolli 2018) protocols share their
family's options here; a command adds its task's own.
"""

import argparse
import dataclasses

from networks import augment, reservoir
from protocols.learning import augment as training
from protocols.learning.policies import POLICIES, Policy
from protocols.running import results, runner


RESERVOIR_OPTIONS = [
    ("--density", dict(type=float, help="connection density: the probability p in (0, 1] that a "
                       "recurrent synapse exists (also --sparseness, its old name)")),
    ("--sparseness", dict(dest="density", type=float, help=argparse.SUPPRESS)),
    ("--stop-at-criterion", dict(action="store_true", help="end training once the criterion is met")),
    ("--kernel", dict(choices=reservoir.KERNELS, help="learning rule as C++ from the trace's factors "
                      "(factored, the default) or as ANNarchy equations (equations)")),
]
"""Command-line options of the reservoir protocols beyond :func:`runner.base_parser`'s."""


def reservoir_config(protocol, task, args, **overrides) -> dict:
    """The resolved configuration of a reservoir run (everything but the seed), as saved in
    config.json; ``overrides`` replace preset values (the task's own, e.g. eta)."""
    overrides["density"] = args.density
    overrides["kernel"] = args.kernel
    settings = reservoir.preset(args.preset, **{k: v for k, v in overrides.items() if v is not None})
    return {
        "protocol": protocol,
        "preset": args.preset,
        "trials": args.trials,
        "stop_at_criterion": args.stop_at_criterion,
        "reservoir": dataclasses.asdict(settings),
        "task": task.options(),
        "versions": results.versions(),
    }


MODELS = {"standard": 1.0, "leaky": 0.7, "hybrid": (0.7, 1.0)}


def retention_from(args):
    """phi from --retention (explicit, e.g. '0.7,1.0') or --model."""
    if args.retention is None:
        return MODELS[args.model]
    try:
        values = tuple(float(v) for v in args.retention.split(","))
    except ValueError:
        raise ValueError(f"--retention {args.retention!r} must be numbers separated by commas.") from None
    return values[0] if len(values) == 1 else values


def augment_config(protocol, task, args, sizes=None) -> dict:
    """The resolved configuration of an AuGMEnT run (everything but the seed), as saved in
    config.json.

    ``sizes`` maps a preset name to the fields the task changes in it (sizes, lambda).
    """
    fields = dict((sizes or {}).get(args.preset, {}), n_actions=len(task.outputs),
                  retention=retention_from(args))
    if args.eps is not None:
        fields["eps"] = args.eps
    if args.beta is not None:
        if args.beta <= 0:
            raise ValueError(f"--beta must be positive, got {args.beta}.")
        fields["beta"] = args.beta
    settings = augment.preset(args.preset, **fields)
    policy = dict(kind=args.policy, eps=settings.eps, gain_annealing=args.gain_annealing,
                  eps_annealing=args.eps_annealing)
    Policy(rng=None, **policy)  # fails here on an unknown policy or eps
    if args.test_trials <= 0:
        raise ValueError(f"--test-trials must be positive, got {args.test_trials}.")
    return {
        "protocol": protocol,
        "preset": args.preset,
        "model": args.model if args.retention is None else "custom",
        "trials": args.trials,
        "test_trials": args.test_trials,
        "augment": dataclasses.asdict(settings),
        "policy": policy,
        "task": task.options(),
        "versions": results.versions(),
    }


def augment_report(row: dict) -> str:
    """One line per seed: whether and when the criterion was met, and the test accuracy."""
    if row["diverged"]:
        return f"seed {row['seed']}: diverged (Q values not finite) at trial {row['trials'] + 1}"
    if row["converged"]:
        verdict = f"converged at trial {row['trials_to_criterion']}"
    else:
        verdict = f"not converged within {row['trials']} trials"
    return f"seed {row['seed']}: {verdict} (test accuracy {row['test_accuracy']:.3f})"


AUGMENT_OPTIONS = [
    ("--retention", dict(help="explicit retention phi of the memory units (1: no leak), one value "
                              "or a comma list of equal blocks (overrides --model), e.g. 0.7,1.0; "
                              "also --leak, its old name")),
    ("--leak", dict(dest="retention", help=argparse.SUPPRESS)),
    ("--policy", dict(default="max-boltzmann", help=f"one of {list(POLICIES)}")),
    ("--eps", dict(type=float, help="exploration rate (default: the preset's, 0.025)")),
    ("--beta", dict(type=float, help="learning rate (default: the preset's, 0.15)")),
    ("--eps-annealing", dict(action="store_true", help="eps(t) = eps (1 - 2/pi atan(t/2000))")),
    ("--test-trials", dict(type=int, default=100, help="test trials after training")),
]
"""Command-line options of the AuGMEnT protocols beyond :func:`runner.base_parser`'s
(each protocol adds --model and --gain-annealing with its paper's defaults and its task's
options)."""


def model_option(default):
    """--model with the protocol's default: the network its paper's main result uses."""
    return ("--model", dict(choices=sorted(MODELS), default=default,
                            help="memory retention phi: standard 1.0, leaky 0.7, hybrid [0.7, 1.0] "
                            f"(default {default})"))


def gain_option(default):
    """--gain-annealing M with the protocol's default."""
    return ("--gain-annealing", dict(type=float, default=default,
                                     help=f"m of g(t) = 1 + m/pi atan(t/2000) (default {default:g})"))


def augment_command(argv, protocol, doc, make_config, options, *, default_preset, default_trials):
    """The command of the AuGMEnT protocol named ``protocol`` (a key of
    :data:`protocols.learning.augment.TASKS`; see :func:`runner.main`)."""
    return runner.main(
        argv,
        description=doc.split("\n")[0],
        presets=augment.PRESETS,
        default_trials=default_trials,
        default_out=f"results/{protocol}",
        make_config=make_config,
        run=training.run,
        extra_options=options,
        report=augment_report,
        default_preset=default_preset,
        trials_flags=("--trials", "--max-trials"),
    )
