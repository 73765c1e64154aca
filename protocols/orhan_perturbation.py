"""Train Miconi's node-perturbation reservoir on an Orhan & Ma binary task; its SI.

    python protocols/orhan_perturbation.py                        # 2AFC, seed 1
    python protocols/orhan_perturbation.py --seeds 1-10 --jobs 2 --out results/np-2afc
    python protocols/orhan_perturbation.py --delay 40              # a shorter delay

Beyond the paper (issue 14): does a biologically plausible rule find the kind of solution
that BPTT finds? The reservoir of Miconi (2017; preset miconi2017) learns with its
node-perturbation rule on Orhan & Ma's (2019) 2AFC (or COMP, CD) trials, played as window
trials (:class:`protocols.tasks.windowed.WindowedTask`: the same Poisson spike counts times
``--input-gain``, one step per ms; output +-0.98 over the response period). After training,
with perturbations off: the fractional information loss against the ideal observer on
``--test-trials`` new trials (the answer at step -5 read as P = (1 + r) / 2; included below
0.5, as for the BPTT networks), and the sequentiality index of Orhan & Ma on the first
``--si-trials`` of them, computed on the rectified rates max(r, 0) of the non-bias units (the
SI takes non-negative activity; tanh rates are not); the same for the network with its
initial weights, as the baseline that training moves from.
"""

import functools
import sys

import numpy as np

from networks.reservoir import PRESETS
from protocols.analysis.sequentiality import analysis_summary, peak_order_asymmetry, sequentiality
from protocols.learning import node_perturbation
from protocols.running import configs, runner
from protocols.tasks.windowed import WindowedTask

KEPT_TRIALS = 20  # test trials whose activity is saved

OPTIONS = [
    ("--task", dict(default="2afc", help="the binary task: 2afc (default), comp or cd")),
    ("--delay", dict(type=int, help="delay steps (default: the task's, 100)")),
    ("--input-gain", dict(type=float, default=5.0, help="drive of one input spike (default 5)")),
    ("--test-trials", dict(type=int, default=1000, help="test trials after training (default 1000)")),
    ("--si-trials", dict(type=int, default=300, help="the first test trials that give the SI (default 300)")),
]


def make_config(args) -> dict:
    if not 1 <= args.si_trials <= args.test_trials:
        raise ValueError(f"--si-trials must be in [1, --test-trials = {args.test_trials}], got {args.si_trials}.")
    timing = None if args.delay is None else {"timing": {"delay": args.delay}}
    task = WindowedTask(args.task, gain=args.input_gain, task_options=timing)
    config = configs.reservoir_config("orhan_perturbation", task, args)
    config["test"] = {"trials": args.test_trials, "si_trials": args.si_trials}
    return config


def _test(net, task, rng, batch, si_trials) -> tuple:
    """Play ``batch`` with perturbations off: (summary values, arrays to keep): Orhan & Ma's
    performance, the SI of the rectified rates of the non-bias units on the first
    ``si_trials``, the weight asymmetry (:func:`analysis_summary`)."""
    settings = net.settings
    units = np.setdiff1d(np.arange(settings.n_neurons), [rank for rank, _ in settings.bias_units])
    net.perturbations(False)
    played = [node_perturbation.run_trial(net, task.trial_of(batch, i), rng, every_unit=i < si_trials)[0]
              for i in range(len(batch))]
    net.perturbations(True)
    outputs = np.stack([p[:, settings.output] if p.ndim == 2 else p for p in played])[:, :, None]
    activity = np.maximum(np.stack(played[:si_trials])[:, :, units], 0.0)
    performance = task.performance(batch, outputs)
    si = sequentiality(activity)
    weights = np.nan_to_num(net.recurrent_weights())[np.ix_(units, units)]  # an absent synapse weighs 0
    summary = analysis_summary({k: performance[k] for k in ("fractional_loss", "accuracy", "ideal_accuracy")},
                               si, peak_order_asymmetry(weights, activity))
    kept = slice(0, KEPT_TRIALS)
    return summary, {"activity": activity[kept], "outputs": outputs[kept], "si": si["per_trial"][kept], "units": units}


def evaluate(net, task, rng, folder, trials, si_trials) -> dict:
    """Test the trained ``net`` on ``trials`` new trials (:func:`_test`), and the same network
    with its initial weights on the same trials (the ``untrained_`` values); save the trained
    network's first test trials in activity.npz."""
    batch = task.orhan.draw(rng, trials)
    trained = net.recurrent_weights()
    net.set_recurrent_weights(node_perturbation.initial_weights(net.settings, task, net.seed)[1])
    untrained, _ = _test(net, task, rng, batch, si_trials)
    net.set_recurrent_weights(trained)
    tested, arrays = _test(net, task, rng, batch, si_trials)
    np.savez_compressed(folder / "activity.npz", inputs=batch.inputs[:KEPT_TRIALS], **arrays)
    kept = ("fractional_loss", "accuracy", "si", "entropy", "ridge_to_background", "weight_asymmetry")
    return {**tested, **{f"untrained_{key}": untrained[key] for key in kept}}


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train one reservoir with ``seed``; test it; write its results folder ``out``."""
    test = config["test"]
    return node_perturbation.run(config, seed, out, WindowedTask(**config["task"]), progress,
                                 functools.partial(evaluate, trials=test["trials"], si_trials=test["si_trials"]))


def report(row) -> str:
    reached = row["trials_to_criterion"]
    verdict = f"criterion at trial {reached}" if reached else "criterion not reached"
    return (f"seed {row['seed']}: {verdict}; test accuracy {row['accuracy']:.3f}, fractional loss "
            f"{row['fractional_loss']:.3f} ({'included' if row['included'] else 'excluded'}), "
            f"SI {row['si']:.2f} (entropy {row['entropy']:.2f} + ridge {row['ridge_to_background']:.2f}; "
            f"untrained {row['untrained_si']:.2f})")


def main(argv=None):
    return runner.main(
        argv,
        description=__doc__.split("\n")[0],
        presets=PRESETS,
        default_trials=6000,
        default_out="results/orhan_perturbation",
        make_config=make_config,
        run=run,
        report=report,
        extra_options=configs.RESERVOIR_OPTIONS + OPTIONS,
    )


if __name__ == "__main__":
    sys.exit(main())
