"""Train Miconi's reservoir on context-dependent selective integration.

    python protocols/selective_integration.py --trials 20000
    python protocols/selective_integration.py --seeds 1-10 --jobs 2 --out results/si-10
    python protocols/selective_integration.py retest results/si-10 [--repeats 10]

Source: Miconi T. (2017) eLife 6:e20899, Fig. 4 (after Mante et al. 2013); original values
eta = 0.01, max_dw = 2e-4, A = 30. After training, psychometric data, with perturbations off:
the fraction of + choices and the mean response for every pair of modality biases in each
context, at Miconi's test biases (-0.25 to 0.25 in steps of 0.05). ``retest`` measures them
again from the saved weights of finished runs.
"""

import argparse
import functools
import sys
from pathlib import Path

import numpy as np

from networks.reservoir import PRESETS
from protocols.analysis.psychometrics import logistic_slopes, psychometric, slopes
from protocols.learning import node_perturbation
from protocols.running import configs, results, runner
from protocols.tasks.miconi import SelectiveIntegration

TASK_VALUES = {"eta": 0.01, "max_dw": 2e-4, "A": 30.0}
LEVELS = tuple(np.round(np.linspace(-0.25, 0.25, 11), 2))


def make_config(args) -> dict:
    config = configs.reservoir_config(
        "selective_integration", SelectiveIntegration(), args, **TASK_VALUES
    )
    if args.repeats < 1:
        raise ValueError(f"--repeats must be at least 1, got {args.repeats}.")
    config["psychometric"] = {"levels": list(LEVELS), "repeats": args.repeats}
    return config


def evaluate(net, task, rng, folder, levels, repeats) -> dict:
    """Measure the psychometric data of a trained ``net``; save psychometric.npz in ``folder``;
    return the slopes (linear and logistic) for the summary."""
    p_plus, response = psychometric(net, task, rng, levels, repeats)
    np.savez_compressed(
        folder / "psychometric.npz", levels=np.array(levels), p_plus=p_plus, response=response
    )
    relevant, irrelevant = slopes(p_plus, levels)
    logit_relevant, logit_irrelevant = logistic_slopes(p_plus, levels, repeats)
    return {"slope_relevant": relevant, "slope_irrelevant": irrelevant,
            "logit_relevant": logit_relevant, "logit_irrelevant": logit_irrelevant}


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train one network with ``seed``; test its psychometric curves; write ``out``."""
    test = config["psychometric"]
    task = SelectiveIntegration(**config["task"])
    return node_perturbation.run(
        config, seed, out, task, progress,
        functools.partial(evaluate, levels=test["levels"], repeats=test["repeats"]),
    )


def retest(out, repeats=10, levels=LEVELS) -> list:
    """Measure the psychometric data again from the saved weights of the run(s) in ``out``
    (a seed's folder, or a many-seed folder, whose summary.csv is rewritten); update
    each seed's psychometric.npz, summary.json and config.json. The folder is rewritten as a
    whole (:func:`protocols.running.results.rewrite_folder`): a failure leaves it as it was.
    Returns the summaries."""
    out = Path(out)
    names = [folder.name for folder in results.seed_folders(out)]
    if not all((out / name / "weights.npz").exists() for name in names or ["."]):
        raise ValueError(f"{out} holds no finished selective-integration run.")
    rows = []
    with results.rewrite_folder(out) as copy:
        for folder in [copy / name for name in names] or [copy]:
            config = results.read_json(folder / "config.json")
            task = SelectiveIntegration(**config["task"])
            seed = config["seed"]
            net = node_perturbation.build_network(
                node_perturbation.settings_from(config), task, seed
            )
            net.set_recurrent_weights(np.load(folder / "weights.npz")["w_rec"])
            summary = results.read_json(folder / "summary.json")
            rng = np.random.default_rng([seed, 2])
            summary.update(evaluate(net, task, rng, folder, levels, repeats))
            config["psychometric"] = {"levels": list(levels), "repeats": repeats}
            results.write_json(folder / "config.json", config)
            results.write_json(folder / "summary.json", summary)
            rows.append(summary)
        if names:
            results.write_rows(copy / "summary.csv", rows)
    return rows


def retest_main(argv) -> int:
    parser = argparse.ArgumentParser(
        prog="selective_integration.py retest",
        description="Measure the psychometric curves again from saved weights.",
    )
    parser.add_argument("out", help="results folder of one seed or of many")
    parser.add_argument("--repeats", type=int, default=10, help="test trials per bias pair")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}.")
    try:
        rows = retest(args.out, args.repeats)
    except ValueError as error:
        parser.error(str(error))
    for row in rows:
        print(report(row))
    return 0


def report(row) -> str:
    return (
        f"{runner.report_criterion(row)}; psychometric slope relevant {row['slope_relevant']:.2f}, "
        f"irrelevant {row['slope_irrelevant']:.2f}"
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["retest"]:
        return retest_main(argv[1:])
    return runner.main(
        argv,
        description=__doc__.split("\n")[0] + " Measure saved runs again: retest DIR [--repeats N].",
        presets=PRESETS,
        default_trials=20000,
        default_out="results/selective_integration",
        make_config=make_config,
        run=run,
        report=report,
        extra_options=configs.RESERVOIR_OPTIONS + [
            ("--repeats", dict(type=int, default=10, help="test trials per bias pair")),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
