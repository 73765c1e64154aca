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

import dataclasses
import gc
import time

import numpy as np
from tqdm import tqdm

from networks import cache
from networks.augment import PRESETS, AugmentConfig, AugmentNetwork, draw_weights, preset
from protocols import results, runner
from protocols.augment_tasks import Saccade, SequencePrediction, TemporalXOR, TwelveAX
from protocols.policies import POLICIES, Policy

TASKS = {
    "twelve_ax": TwelveAX,
    "saccade": Saccade,
    "sequence_prediction": SequencePrediction,
    "txor": TemporalXOR,
}
"""The task class of each protocol (``config["protocol"]``)."""

MODELS = {"standard": 1.0, "leaky": 0.7, "hybrid": (0.7, 1.0)}

RECORD_DTYPE = [
    ("trial", int),
    ("type", "U10"),
    ("steps", int),
    ("responses", int),
    ("correct_responses", int),
    ("correct", bool),
    ("reward", float),
]


def leak_from(args):
    """phi from --leak (explicit, e.g. '0.7,1.0') or --model."""
    if args.leak is None:
        return MODELS[args.model]
    try:
        values = tuple(float(v) for v in args.leak.split(","))
    except ValueError:
        raise ValueError(f"--leak {args.leak!r} must be numbers separated by commas.") from None
    return values[0] if len(values) == 1 else values


def make_config(protocol, task, args, sizes=None) -> dict:
    """The resolved configuration of a run (everything but the seed), as saved in config.json.

    ``sizes`` maps a preset name to the fields the task changes in it (sizes, lambda).
    """
    fields = dict((sizes or {}).get(args.preset, {}), n_actions=len(task.actions),
                  leak=leak_from(args))
    if args.eps is not None:
        fields["eps"] = args.eps
    if args.beta is not None:
        if args.beta <= 0:
            raise ValueError(f"--beta must be positive, got {args.beta}.")
        fields["beta"] = args.beta
    settings = preset(args.preset, **fields)
    policy = dict(kind=args.policy, eps=settings.eps, gain_annealing=args.gain_annealing,
                  eps_annealing=args.eps_annealing)
    Policy(rng=None, **policy)  # fails here on an unknown policy or eps
    if args.test_trials <= 0:
        raise ValueError(f"--test-trials must be positive, got {args.test_trials}.")
    return {
        "protocol": protocol,
        "preset": args.preset,
        "model": args.model if args.leak is None else "custom",
        "trials": args.trials,
        "test_trials": args.test_trials,
        "augment": dataclasses.asdict(settings),
        "policy": policy,
        "task": task.options(),
        "versions": results.versions(),
    }


def settings_from(config) -> AugmentConfig:
    """The :class:`AugmentConfig` saved in a configuration."""
    fields = dict(config["augment"])
    if isinstance(fields["leak"], list):
        fields["leak"] = tuple(fields["leak"])
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
            reward = trial.act(action)
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
            records[index] = (index, trial.trial_type, trial.step, len(trial.responses), right,
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


def report(row: dict) -> str:
    """One line per seed: whether and when the criterion was met, and the test accuracy."""
    if row["diverged"]:
        return f"seed {row['seed']}: diverged (Q values not finite) at trial {row['trials'] + 1}"
    if row["converged"]:
        verdict = f"converged at trial {row['trials_to_criterion']}"
    else:
        verdict = f"not converged within {row['trials']} trials"
    return f"seed {row['seed']}: {verdict} (test accuracy {row['test_accuracy']:.3f})"


OPTIONS = [
    ("--leak", dict(help="explicit leak, one value or a comma list of equal blocks "
                         "(overrides --model), e.g. 0.7,1.0")),
    ("--policy", dict(default="max-boltzmann", help=f"one of {list(POLICIES)}")),
    ("--eps", dict(type=float, help="exploration rate (default: the preset's, 0.025)")),
    ("--beta", dict(type=float, help="learning rate (default: the preset's, 0.15)")),
    ("--eps-annealing", dict(action="store_true", help="eps(t) = eps (1 - 2/pi atan(t/2000))")),
    ("--test-trials", dict(type=int, default=100, help="test trials after training")),
]
"""Command-line options of the AuGMEnT protocols beyond :func:`protocols.runner.base_parser`'s
(each protocol adds --model and --gain-annealing with its paper's defaults and its task's
options)."""


def model_option(default):
    """--model with the protocol's default: the network its paper's main result uses."""
    return ("--model", dict(choices=sorted(MODELS), default=default,
                            help="memory leak: standard 1.0, leaky 0.7, hybrid [0.7, 1.0] "
                            f"(default {default})"))


def gain_option(default):
    """--gain-annealing M with the protocol's default."""
    return ("--gain-annealing", dict(type=float, default=default,
                                     help=f"m of g(t) = 1 + m/pi atan(t/2000) (default {default:g})"))


def command(argv, protocol, doc, make_config, options, *, default_preset, default_trials):
    """The command of the AuGMEnT protocol named ``protocol`` (a key of :data:`TASKS`;
    see :func:`protocols.runner.main`)."""
    return runner.main(
        argv,
        description=doc.split("\n")[0],
        presets=PRESETS,
        default_trials=default_trials,
        default_out=f"results/{protocol}",
        make_config=make_config,
        run=run,
        extra_options=options,
        report=report,
        default_preset=default_preset,
        trials_flags=("--max-trials", "--trials"),
    )
