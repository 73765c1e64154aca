"""Orhan & Ma's (2019) protocol per network: BPTT in the JAX twin, then the test in ANNarchy.

Source: Orhan & Ma (2019) Nat. Neurosci. 22:275-283; shared/specs/orhan.md. A network is a
job keyed by (task, lambda0, sigma0, seed). It is trained by :class:`bptt.GridTraining`
(alone, :func:`run`, or with the other networks of its task as one vmapped computation,
:func:`run_together`); its weights are then loaded into the ANNarchy network of record,
which plays the test trials (stream ``[seed, 4]``): the fractional loss against the ideal
observer on all of them, the sequentiality index and the peak-order weight asymmetry on the
first ``si_trials`` (300, the paper's). A network is included in the SI analysis if its test
fractional loss is below 0.5. The condition is in the configuration: its training values
(Hebbian fast weights, the tethered penalty), its task options (answer step, variable
delays, dynamic input) and, for multitask, the task trained first (``pretrain``).

Its results folder: config.json, curve.csv (the training curve), weights.npz (the trained
parameters), summary.json (the row of summary.csv) and activity.npz (the first 20 test
trials: ``activity`` trials x steps x units, ``inputs``, ``outputs``, and ``si`` per trial).
"""

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from networks import cache
from networks.orhan_ma import OrhanMaNetwork
from protocols.analysis.sequentiality import analysis_summary, peak_order_asymmetry, sequentiality
from protocols.learning import checkpoints
from protocols.learning.bptt import GridTraining, Training
from protocols.running import results
from protocols.tasks.orhan_ma import TASKS

KEPT_TRIALS = 20


def make_task(config, name):
    """The task ``name`` with the options the configuration records."""
    return TASKS[name](**config["task_options"].get(name, {}))


def of_condition(config, key) -> dict:
    """The configuration of the network ``key``: a run of several conditions keeps each one's
    training values, task options and first tasks under ``conditions``."""
    if "conditions" not in config:
        return config
    return {**config, "condition": key["condition"], **config["conditions"][key["condition"]]}


def training_of(config) -> Training:
    return Training(**config["training"])


def _cell(key) -> dict:
    return {name: key[name] for name in ("lambda0", "sigma0", "seed")}


def evaluate(config, task, params, seed) -> tuple:
    """Test the trained ``params`` in the ANNarchy network: (summary values, arrays to keep)."""
    training = training_of(config)
    net = cache.build(OrhanMaNetwork, seed=seed, n_inputs=len(task.inputs), n_hidden=training.hidden,
                      n_outputs=len(task.outputs), gamma=training.gamma)
    net.load(params, task.readout == "sigmoid")
    test = task.draw(np.random.default_rng([seed, 4]), config["test_trials"])
    if test.mask is None:
        hidden, outputs = net.play_batch(test.inputs)
        unpadded = hidden
    else:  # variable delays: each trial is played as it is, without its padding
        played = [net.play(test.unpadded(i)) for i in range(len(test))]
        unpadded = [h for h, _ in played]
        hidden, outputs = (np.stack([_padded(a, mask) for a, mask in zip(arrays, test.mask)])
                           for arrays in zip(*played))
    performance = task.performance(test, outputs)
    si = sequentiality(unpadded[: config["si_trials"]])
    asymmetry = peak_order_asymmetry(params["W"], hidden[: config["si_trials"]])
    summary = analysis_summary(performance, si, asymmetry)
    kept = slice(0, KEPT_TRIALS)
    arrays = {"activity": hidden[kept].astype(np.float32), "inputs": test.inputs[kept],
              "outputs": outputs[kept].astype(np.float32), "si": si["per_trial"][kept]}
    if test.mask is not None:
        padded = sequentiality(hidden[: config["si_trials"]])
        summary.update(si_padded=padded["si"], entropy_padded=padded["entropy"],
                       ridge_to_background_padded=padded["ridge_to_background"])
        arrays.update(mask=test.mask[kept], delays=test.delays[kept])
    return summary, arrays


def _padded(played, mask) -> np.ndarray:
    """An unpadded trial's activity on the padded steps of ``mask``: the state held (the last
    step before each padding repeated), as the original's masked recurrence keeps it."""
    return played[np.cumsum(mask) - 1]


def _finish(config, key, folder, trained, seconds, together):
    """Test one trained network and write its folder; returns its summary row."""
    task = make_task(config, key["task"])
    with results.results_folder(folder, overwrite=True) as staged:
        summary, arrays = evaluate(config, task, trained["params"], key["seed"])
        row = {**key, "updates": trained["updates"], "stopped_early": trained["stopped_early"],
               **summary, "training_seconds": seconds, "trained_together": together}
        results.write_json(staged / "config.json", {**config, "network": key})
        results.write_rows(staged / "curve.csv", trained["curve"])
        np.savez_compressed(staged / "weights.npz", **trained["params"])
        np.savez_compressed(staged / "activity.npz", **arrays)
        results.write_json(staged / "summary.json", row)
    return row


def _phases(config, name, cells, checkpoint: Path) -> list:
    """The tasks trained one after the other (``config["pretrain"]`` first, where the
    multitask condition gives one: a task, or a first task per task) and the checkpoint file
    of each phase, beside ``checkpoint``: ``{its stem}-{task}-{digest}.npz``, the digest of all that
    the phase's training depends on (the cells, and the task, its options and the training
    values of this phase and of those before it). Two trainings of a run that share a phase
    (the multitask condition's first task and that task's basic grid, trained bit for bit
    alike) so share its checkpoint, and the second reloads it instead of training again."""
    first = config.get("pretrain")
    tasks = [t for t in ((first.get(name) if isinstance(first, dict) else first), name) if t]
    phases, history = [], [cells]
    for task in tasks:
        history.append([task, config["task_options"].get(task, {}), config["training"]])
        digest = hashlib.sha256(json.dumps(history, sort_keys=True).encode()).hexdigest()[:12]
        phases.append((task, checkpoint.with_name(f"{checkpoint.stem}-{task}-{digest}.npz")))
    return phases


def _train(config, phases, cells, progress, description) -> list:
    """Train ``cells`` through ``phases`` (:func:`_phases`: a task, after the
    pretraining task where there is one; the same networks, readout and Adam state go on);
    returns the trained networks with their curves (a ``task`` column names the phase of each
    row). The checkpoints stay (a finished training reloads at once) until the caller
    discards them."""
    training, done, before = training_of(config), [], None
    for task_name, path in phases:
        trainer = GridTraining(make_task(config, task_name), cells, training, path, after=before)
        done.append((task_name, trainer.run(progress, description=f"{description} [{task_name}]")))
        before = trainer
    trained = done[-1][1]
    for i, network in enumerate(trained):
        network["curve"] = [{"task": task_name, **row} for task_name, phase in done for row in phase[i]["curve"]]
    return trained


def run(config, key, folder, progress=True) -> dict:
    """Train and test the one network ``key`` (task, lambda0, sigma0, seed) into ``folder``."""
    folder, config = Path(folder), of_condition(config, key)
    started = time.perf_counter()
    cells = [_cell(key)]
    phases = _phases(config, key["task"], cells, checkpoints.beside(folder, folder.name))
    trained = _train(config, phases, cells, progress, label(key))[0]
    row = _finish(config, key, folder, trained, time.perf_counter() - started, 1)
    for _, path in phases:
        checkpoints.discard(path)
    return row


def run_together(config, keys, folders, pending, progress=True) -> list:
    """Train the networks ``keys`` of each task (and condition) as one vmapped computation,
    then test those ``pending``; returns their rows. A task's whole grid is trained even where some of its
    networks were done (a resumed run): the same grid trains to the same weights, bit for bit,
    where a smaller one would drift from it by float rounding. A checkpoint is discarded once
    no later grid of the run shares it (:func:`_phases`)."""
    rows, groups = {}, []
    for condition, name in dict.fromkeys((key.get("condition"), key["task"]) for key in keys):
        group = [(key, Path(folder), todo) for key, folder, todo in zip(keys, folders, pending)
                 if (key.get("condition"), key["task"]) == (condition, name)]
        if any(todo for _, _, todo in group):
            view = of_condition(config, group[0][0])
            cells = [_cell(k) for k, _, _ in group]
            phases = _phases(view, name, cells, checkpoints.beside(group[0][1], "together"))
            groups.append((condition, name, group, view, cells, phases))
    for i, (condition, name, group, view, cells, phases) in enumerate(groups):
        prefix = f"{condition}-" if condition else ""
        started = time.perf_counter()
        trained = _train(view, phases, cells, progress, f"{prefix}{name}: {len(group)} networks")
        seconds = (time.perf_counter() - started) / len(group)
        for (key, folder, todo), network in zip(group, trained):
            if todo:
                rows[folder.name] = _finish(view, key, folder, network, seconds, len(group))
        later = {path for *_, others in groups[i + 1:] for _, path in others}
        for _, path in phases:
            if path not in later:
                checkpoints.discard(path)
    return [rows[Path(folder).name] for folder, todo in zip(folders, pending) if todo]


def label(row) -> str:
    """How a network is named in messages."""
    condition = f"{row['condition']} " if row.get("condition") else ""
    return f"{condition}{row['task']} lambda0 {row['lambda0']:g} sigma0 {row['sigma0']:g} seed {row['seed']}"


def report(row) -> str:
    """One line per network: test fractional loss, inclusion, SI and its terms."""
    verdict = "included" if row["included"] else "excluded"
    return (f"{label(row)}: fractional loss {row['fractional_loss']:.3f} ({verdict}), "
            f"SI {row['si']:.2f} (entropy {row['entropy']:.2f} + ridge {row['ridge_to_background']:.2f})")
