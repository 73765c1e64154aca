"""AuGMEnT's trial loop: play trials with a policy, learn online (SARSA(lambda) with tags),
stop at the task's convergence criterion, then test with learning and exploration off.

Sources: Rombouts et al. (2015) PLoS Comput Biol 11(3):e1004060; Martinolli et al. (2018)
Front. Comput. Neurosci. 12:50. Per step the network receives r(t-1), the reward for the
previous action; at a trial's end it makes the last update with delta = r - q_a(t-1) and
clears memory, traces and tags (unless the task keeps them: 12AX no-reset).

Each task brings its convergence criterion (``task.criterion()``); where the task asks
(``task.confirm``: saccade/antisaccade) a met criterion counts only if a test of every trial
type with learning and exploration off is then all correct.
"""

import gc
import time

import numpy as np
from tqdm import tqdm

from networks import cache, presets
from networks.augment import AugmentConfig, AugmentNetwork, draw_weights
from protocols.learning.policies import Policy
from protocols.running import results
from protocols.tasks.augment import Saccade, SequencePrediction, TemporalXOR, TwelveAX

TASKS = {
    "twelve_ax": TwelveAX,
    "saccade": Saccade,
    "sequence_prediction": SequencePrediction,
    "txor": TemporalXOR,
}
"""The task class of each protocol (``config["protocol"]``)."""

RECORD_DTYPE = [
    ("trial", int),
    ("type", "U10"),
    ("steps", int),
    ("responses", int),
    ("correct_responses", int),
    ("correct", bool),
    ("reward", float),
]


def settings_from(config) -> AugmentConfig:
    """The :class:`AugmentConfig` saved in a configuration."""
    fields = presets.renamed(config["augment"], {"leak": "retention"})
    if isinstance(fields["retention"], list):
        fields["retention"] = tuple(fields["retention"])
    return AugmentConfig(**fields).validate()


def build_network(settings: AugmentConfig, task, seed: int) -> AugmentNetwork:
    """The network for ``task`` with weights drawn from ``seed`` (compiled once per variant)."""
    weights = draw_weights(settings, len(task.inputs), np.random.default_rng([seed, 0]))
    return cache.build(AugmentNetwork, seed=seed, n_inputs=len(task.inputs), config=settings,
                       weights=weights)


class Player:
    """Plays trials of ``task`` on ``net``; keeps the network's trial open across task trials
    when the task does not reset (then the last reward of one trial is r(t-1) of the next)."""

    def __init__(self, net, task):
        self.net, self.task = net, task
        self.pending = None  # reward not yet given to the network while its trial is open

    def play(self, trial, policy, learn=True):
        """Run ``trial`` to its end; return the summed reward."""
        net, step_learn = self.net, learn and self.task.learn_every_step
        if self.pending is None:
            net.start_trial()
            self.pending = 0.0
        reward, total = self.pending, 0.0
        while not trial.done:
            action = net.step(trial.observation(), policy, reward, learn=step_learn)
            reward = trial.step(action)
            total += reward
        self.pending = reward
        if self.task.reset:
            self.close(learn)
        return total

    def close(self, learn=True):
        """End the network's open trial with the pending reward."""
        if self.pending is not None:
            self.net.end_trial(self.pending, learn=learn,
                               clear_input=not self.task.continuous_input)
            self.pending = None


def test_accuracy(player, task, n_trials, rng, each_type=False) -> float:
    """Accuracy with learning off and greedy actions: over ``n_trials`` drawn trials, or one
    trial of each type (``each_type``). Fraction of correct judged responses where the task
    judges responses (12AX), else of correct trials."""
    player.close()
    greedy = Policy("greedy", rng)
    if each_type:
        trials = [task.new_trial(rng, name) for name in task.trial_types]
    else:
        trials = [task.new_trial(rng) for _ in range(n_trials)]
    for trial in trials:
        player.play(trial, greedy, learn=False)
    player.close(learn=False)
    if task.judge_responses:
        return float(np.mean([r for trial in trials for r in trial.responses]))
    return float(np.mean([trial.correct for trial in trials]))


def train(player, task, config, rng, progress=True, desc="training"):
    """Train until the criterion (confirmed by a test where the task asks), the budget or a
    divergence (non-finite Q values: the trial is dropped and training ends); return
    (records, trials to criterion or None). The cycle collector is paused meanwhile."""
    policy = Policy(rng=rng, **config["policy"])
    criterion = task.criterion()
    records = np.zeros(config["trials"], dtype=RECORD_DTYPE)
    bar = tqdm(range(config["trials"]), desc=desc, disable=not progress, mininterval=0.5)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index in bar:
            policy.set_trial(index)
            trial = task.new_trial(rng)
            try:
                reward = player.play(trial, policy)
            except FloatingPointError:
                player.pending = None
                return records[:index], None
            right = sum(trial.responses)
            records[index] = (index, trial.trial_type, trial.steps, len(trial.responses), right,
                              trial.correct, reward)
            met = criterion.update(trial)
            if met and (not task.confirm
                        or test_accuracy(player, task, 0, rng, each_type=True) == 1.0):
                return records[: index + 1], index + 1
            if progress and index % 200 == 0:
                recent = records[max(0, index - 199) : index + 1]
                bar.set_postfix(correct=f"{recent['correct'].mean():.2f}")
        return records, None
    finally:
        player.close()
        if collecting:
            gc.enable()


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train one network with ``seed`` on the configuration's task and write its results
    folder ``out``; return the summary (also saved as summary.json)."""
    task = TASKS[config["protocol"]](**config["task"])
    with results.results_folder(out, overwrite=True) as folder:
        net = build_network(settings_from(config), task, seed)
        rng = np.random.default_rng([seed, 1])
        player = Player(net, task)
        started = time.perf_counter()
        records, reached = train(player, task, config, rng, progress,
                                 f"{config['protocol']} seed {seed}")
        seconds = time.perf_counter() - started
        diverged = len(records) < config["trials"] and reached is None
        accuracy = None if diverged else test_accuracy(player, task, config["test_trials"], rng)
        summary = {
            "seed": seed,
            "converged": reached is not None,
            "trials_to_criterion": reached,
            "test_accuracy": accuracy,
            "trials": len(records),
            "diverged": diverged,
            "training_seconds": round(seconds, 3),
        }
        results.write_json(folder / "config.json", {**config, "seed": seed})
        results.write_records(folder / "trials.csv", records)
        results.write_json(folder / "summary.json", summary)
        np.savez_compressed(folder / "weights.npz", **net.weights())
    return summary
