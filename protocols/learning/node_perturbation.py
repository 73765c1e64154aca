"""Miconi's trial loop: perturbed trials, error per trial type, one weight change per trial.

Source: Miconi T. (2017) eLife 6:e20899, Methods. For trial n of type k with error
E = mean |r_out - target| over the response window and running mean error Ebar_k:
    dW = clip(-eta * trace * Ebar_k * (E - Ebar_k), +/-max_dw)   (from trial learning_start on)
    Ebar_k <- error_decay * Ebar_k + (1 - error_decay) * E
"""

import gc

import numpy as np
from tqdm import tqdm

from networks import cache, presets
from networks.reservoir import ReservoirConfig, ReservoirNetwork, draw_weights, preset
from protocols.analysis.criteria import trials_to_criterion
from protocols.running import results

RECORD_DTYPE = [
    ("trial", int),
    ("type", "U8"),
    ("error", float),
    ("reward", float),
    ("mean_error", float),
    ("learned", bool),
]


def initial_weights(config: ReservoirConfig, task, seed: int) -> tuple:
    """The (input, recurrent) weights that ``seed`` draws for a reservoir on ``task``."""
    return draw_weights(config, len(task.inputs), np.random.default_rng([seed, 0]))


def build_network(config: ReservoirConfig, task, seed: int) -> ReservoirNetwork:
    """The reservoir for ``task`` with weights drawn from ``seed`` (compiled once per process)."""
    w_in, w_rec = initial_weights(config, task, seed)
    return cache.build(
        ReservoirNetwork,
        seed=seed,
        w_in=w_in,
        w_rec=w_rec,
        config=config,
        trial_steps=task.trial_steps,
    )


def run_trial(net, trial, rng, record_all=False, every_unit=False) -> tuple:
    """Play one trial from a random initial state; return (output trace, error), or with
    ``every_unit`` (every unit's rates, steps x N; error).

    Only the response window is recorded unless ``record_all`` or ``every_unit``.
    """
    net.start_trial(rng.uniform(-0.1, 0.1, net.settings.n_neurons))
    start = 0 if record_all or every_unit else trial.window.start
    rates = net.run_trial(trial.inputs, record_from=start, every_unit=every_unit)
    output = rates[:, net.settings.output] if every_unit else rates
    return rates, float(np.mean(np.abs(output[trial.window] - trial.target)))


def train(net, task, n_trials: int, rng, progress=True, desc="training", stop_at_criterion=False):
    """Train ``net`` on ``task`` for ``n_trials``; return one record per trial.

    With ``stop_at_criterion``, training ends at the trial that reaches Miconi's criterion.
    The cycle collector is paused meanwhile: the loop makes no reference cycles.
    """
    settings = net.settings
    mean_error = np.full(len(task.trial_types), settings.initial_mean_error)
    records = np.zeros(n_trials, dtype=RECORD_DTYPE)
    bar = tqdm(range(n_trials), desc=desc, disable=not progress, mininterval=0.5)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index in bar:
            name = task.trial_type(index)
            k = task.trial_types.index(name)
            _, error = run_trial(net, task.new_trial(rng, name), rng)
            learned = index >= settings.learning_start
            if learned:
                net.learn(error, mean_error[k])
            records[index] = (index, name, error, -error, mean_error[k], learned)
            decay = settings.error_decay
            mean_error[k] = decay * mean_error[k] + (1 - decay) * error
            if stop_at_criterion and trials_to_criterion(records["error"][max(0, index - 99) : index + 1]):
                return records[: index + 1]
            if progress and index % 50 == 0:
                bar.set_postfix({name: f"{e:.2f}" for name, e in zip(task.trial_types, mean_error)})
        return records
    finally:
        if collecting:
            gc.enable()


def test_traces(net, task, rng) -> np.ndarray:
    """Output traces of each trial type with perturbations off and no learning."""
    net.perturbations(False)
    traces = np.stack(
        [run_trial(net, task.new_trial(rng, name), rng, True)[0] for name in task.trial_types]
    )
    net.perturbations(True)
    return traces


def settings_from(config) -> ReservoirConfig:
    """The :class:`ReservoirConfig` saved in a configuration."""
    fields = presets.renamed(config["reservoir"], {"sparseness": "density"})
    fields["bias_units"] = tuple(tuple(unit) for unit in fields["bias_units"])
    return preset(config["preset"], **fields)


def run(config: dict, seed: int, out, task, progress=True, evaluate=None) -> dict:
    """Train one network with ``seed`` on ``task`` and write its results folder to ``out``.

    ``evaluate(net, task, rng, folder)``, if given, tests the trained network and returns
    extra summary values. Returns the summary (also saved as summary.json).
    """
    with results.results_folder(out, overwrite=True) as folder:
        net = build_network(settings_from(config), task, seed)
        rng = np.random.default_rng([seed, 1])
        before = test_traces(net, task, rng)
        records = train(
            net,
            task,
            config["trials"],
            rng,
            progress,
            f"{config['protocol']} seed {seed}",
            config.get("stop_at_criterion", False),
        )
        after = test_traces(net, task, rng)
        last = records[-min(len(records), 400) :]
        summary = {
            "seed": seed,
            "trials_to_criterion": trials_to_criterion(records["error"]),
            "final_error": float(np.mean(last["error"])),
            "final_correct": float(np.mean(last["error"] < 1.0)),
        }
        if evaluate is not None:
            summary.update(evaluate(net, task, rng, folder))
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
