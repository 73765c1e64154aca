"""AuGMEnT's tasks, policies and protocols: task rules, seeded policies, short learning runs
(sequence prediction d = 2 converges within a stated budget; saccade/antisaccade learns to
fixate), results folders, the figures drawn from them, and bad input.

Two compiled structures (4 inputs with 2 or 3 actions), shared with the whole-trial checks
of tests/test_augment_reference.py.
"""

import math

import numpy as np
import pytest

from figures import augment as augment_figures
from protocols import saccade, sequence_prediction, twelve_ax, txor
from protocols.tasks.augment import Saccade, SequencePrediction, TemporalXOR, TwelveAX
from protocols.learning.policies import Policy
from protocols.running.results import read_json, read_records

FIXATE, LEFT, RIGHT = 1, 0, 2


def twelve_ax_target(symbols):
    """Independent rule: R iff the last digit is 1 and A then X, or 2 and B then Y."""
    targets, digit, previous = [], None, None
    for s in symbols:
        digit = s if s in "12" else digit
        targets.append("R" if (digit, previous, s) in (("1", "A", "X"), ("2", "B", "Y")) else "L")
        previous = s
    return targets


def test_twelve_ax_trials_follow_the_rule_and_the_pair_statistics():
    task, rng = TwelveAX(), np.random.default_rng(0)
    lengths, pairs = [], []
    for _ in range(3000):
        trial = task.new_trial(rng)
        assert trial.symbols[0] == trial.trial_type in "12"
        assert trial.answers == twelve_ax_target(trial.symbols)
        lengths.append(len(trial.symbols))
        pairs += ["".join(trial.symbols[k : k + 2]) for k in range(1, len(trial.symbols), 2)]
    assert set(lengths) == {3, 5, 7, 9} and abs(np.mean(lengths) - 6) < 0.1
    assert abs(np.mean(np.isin(pairs, ["AX", "BY"])) - 0.5) < 0.02
    assert {len(TwelveAX("12ax-s").new_trial(rng).symbols) for _ in range(50)} == {3}
    ax = TwelveAX("ax")
    assert ax.new_trial(rng, "AX").answers == ["L", "R"]
    assert ax.new_trial(rng, "BY").answers == ["L", "L"]


def test_twelve_ax_triplets_repeat_the_digit():
    """Martinolli's triplet variant: 1-3 triplets of (the trial's digit, context, probe)."""
    task, rng = TwelveAX("triplets"), np.random.default_rng(1)
    lengths = []
    for _ in range(600):
        trial = task.new_trial(rng)
        assert trial.symbols[::3] == [trial.trial_type] * (len(trial.symbols) // 3)
        assert all(s in "ABC" for s in trial.symbols[1::3])
        assert all(s in "XYZ" for s in trial.symbols[2::3])
        assert trial.answers == twelve_ax_target(trial.symbols)
        lengths.append(len(trial.symbols))
    assert set(lengths) == {3, 6, 9} and abs(np.mean(lengths) - 6) < 0.25


def test_twelve_ax_rewards_every_step():
    trial = TwelveAX(rewards={"correct": 0.5}).new_trial(np.random.default_rng(1))
    rewards = [trial.step(1 - TwelveAX.outputs.index(t)) for t in trial.answers]  # all wrong
    assert rewards == [-1.0] * len(trial.answers) and trial.done and not trial.correct
    assert trial.responses == [False] * len(trial.answers)


def play(task, trial_type, actions):
    """Rewards of a scripted trial, and the trial."""
    trial, rewards = task.new_trial(None, trial_type), []
    for a in actions:
        rewards.append(trial.step(a))
        if trial.done:
            break
    return rewards, trial


@pytest.mark.parametrize("trial_type, target", [("pro-left", LEFT), ("pro-right", RIGHT),
                                                ("anti-left", RIGHT), ("anti-right", LEFT)])
def test_saccade_protocol(trial_type, target):
    task = Saccade()
    trial = task.new_trial(None, trial_type)
    mark = [1.0, 0, 0, 0] if trial_type.startswith("pro") else [0, 1.0, 0, 0]
    cue = [0, 0, 1.0, 0] if trial_type.endswith("left") else [0, 0, 0, 1.0]
    seen, rewards = [], []
    for a in [LEFT, RIGHT, FIXATE, FIXATE, FIXATE, FIXATE, FIXATE, FIXATE, target]:
        seen.append(trial.observation())
        rewards.append(trial.step(a))
    empty = [0.0] * 4
    expected = [empty, mark, mark, mark, np.add(mark, cue), mark, mark, empty, empty]
    np.testing.assert_array_equal(seen, expected)
    assert rewards == [0, 0, 0, 0.2, 0, 0, 0, 0, 1.5] and trial.done and trial.correct
    # the same trial with the wrong saccade, or without shaping
    assert play(task, trial_type, [0, 1, 1, 1, 1, 1, 1, 2 - target])[0][-1] == 0.0
    assert play(Saccade(shaping=False), trial_type, [0, 1, 1, 1, 1, 1, 1, target])[0][2] == 0.0


def test_saccade_aborts_and_timeouts():
    task = Saccade()
    rewards, trial = play(task, "pro-left", [FIXATE] * 3 + [LEFT] * 5)  # breaks during the cue
    assert rewards == [0, 0, 0.2, 0] and trial.done and not trial.correct and trial.fixated
    rewards, trial = play(task, "pro-left", [LEFT] * 20)  # never fixates: 1 + 10 steps
    assert len(rewards) == 11 and trial.done and not trial.fixated
    rewards, trial = play(task, "pro-left", [FIXATE] * 30)  # never saccades: 8 go steps
    assert trial.steps == 1 + 2 + 1 + 2 + 8 and trial.done and trial.responses == [False]
    rewards, trial = play(Saccade(strict=False), "pro-left", [1, 1, 1, 0, 2, 2, 0])
    assert rewards == [0, 0, 0.2, 0, 0, 0, 1.5] and trial.correct  # looser: cue/delay free


def test_sequence_prediction_and_txor_rules():
    task = SequencePrediction(distractors=3)
    assert task.inputs == ("A", "X", "D1", "D2", "D3")
    rewards, trial = play(task, "A", [0, 0, 0, 1])
    assert rewards == [0, 0, 0, 1.0] and trial.correct
    rewards, trial = play(task, "X", [1, 1, 1, 1])
    assert rewards == [0, 0, 0, -1.0] and not trial.correct
    for trial_type, answer in [("1A", 1), ("1B", 0), ("2A", 0), ("2B", 1)]:
        trial = TemporalXOR().new_trial(None, trial_type)
        observations = []
        for _ in range(3):
            observations.append(trial.observation())
            trial.step(answer)
        assert trial.correct and not np.any(observations[2])


def test_policies_are_seeded_and_follow_their_rules():
    q = np.array([0.1, 0.5, 0.5])
    draws = [Policy("max-boltzmann", np.random.default_rng(3))(q) for _ in range(2)]
    assert draws[0] == draws[1]
    greedy = Policy("greedy", np.random.default_rng(0))
    assert {greedy(q) for _ in range(100)} == {1, 2}  # ties broken at random
    soft = Policy("softmax", np.random.default_rng(0), gain_annealing=10.0)
    soft.set_trial(2000)
    assert soft.gain == pytest.approx(1 + 10 / 4)
    choices = np.array([soft(np.array([0.0, 1.0])) for _ in range(4000)])
    assert np.mean(choices == 1) == pytest.approx(1 / (1 + math.exp(-3.5)), abs=0.02)
    uniform = Policy("eps-greedy", np.random.default_rng(0), eps=1.0, eps_annealing=True)
    uniform.set_trial(2000)
    assert uniform.eps == pytest.approx(0.5)
    counts = np.bincount([uniform(q) for _ in range(3000)], minlength=3)
    assert counts[0] > 400  # uniform exploration reaches the worst action
    with pytest.raises(ValueError, match="unknown policy 'boltzmann'"):
        Policy("boltzmann", None)
    with pytest.raises(FloatingPointError, match="the network diverged"):
        greedy(np.array([np.nan, 1.0]))


def test_sequence_prediction_learns_with_two_distractors(tmp_path):
    """Standard AuGMEnT, d = 2, seeds 1-3: 100 correct trials in a row within 600 trials, 3 of 3
    (seeds 1-20 converged at 139-304 trials, median 156), then perfect with learning and
    exploration off."""
    out = tmp_path / "seq"
    sequence_prediction.main(["--distractors", "2", "--model", "standard", "--seeds", "1-3",
                              "--max-trials", "600", "--out", str(out), "--quiet"])
    summary = read_records(out / "summary.csv")
    assert list(summary["converged"]) == ["True"] * 3
    np.testing.assert_array_equal(summary["test_accuracy"], [1.0] * 3)
    config = read_json(out / "seed-001" / "config.json")
    assert config["augment"]["retention"] == 1.0 and config["task"]["distractors"] == 2
    trials = read_records(out / "seed-001" / "trials.csv")
    assert len(trials["trial"]) == summary["trials_to_criterion"][0]
    assert np.all(trials["correct"][-100:] == 1) and not np.all(trials["correct"][:100] == 1)
    written = augment_figures.main([str(out), "--out", str(tmp_path / "figures")])
    assert sorted(p.name for p in written) == ["distractors.png", "distractors.svg"]


def test_twelve_ax_s_learns(tmp_path):
    """Hybrid AuGMEnT on 12AX-S (one context-probe pair per digit), seeds 1-6, at most 10 000
    trials: at least 2 of 6 reach 1000 correct responses in a row, and at least 5 of 6 answer
    >= 90 % correct with learning and exploration off; the input stream runs across trials
    (Martinolli's code). Measured on seeds 1-10: 6 of 10 converged (3 133-5 655 trials), test
    accuracy 0.907 once and 1.0 nine times."""
    out = tmp_path / "12ax-s"
    twelve_ax.main(["--variant", "12ax-s", "--seeds", "1-6", "--max-trials", "10000",
                    "--jobs", "2", "--out", str(out), "--quiet"])
    summary = read_records(out / "summary.csv")
    assert np.sum(summary["converged"] == "True") >= 2, summary["converged"]
    assert np.sum(summary["test_accuracy"] >= 0.9) >= 5, summary["test_accuracy"]
    config = read_json(out / "seed-001" / "config.json")
    assert config["model"] == "hybrid" and config["task"]["continuous_input"]
    seed = int(summary["seed"][np.flatnonzero(summary["converged"] == "True")[0]])
    trials = read_records(out / f"seed-{seed:03d}" / "trials.csv")
    # the streak of 1000 holds the last 333 trials (3 responses each) and the end of one more
    assert np.all(trials["correct"][-333:]) and np.all(trials["responses"] == 3)
    assert not np.all(trials["correct"][:100] == 1)
    written = augment_figures.main([str(out), "--out", str(tmp_path / "figures")])
    assert sorted(p.name for p in written) == ["twelve_ax.png", "twelve_ax.svg"]


def test_saccade_learns_to_fixate_and_starts_to_saccade(tmp_path):
    """rombouts2015 with Rombouts' standard AuGMEnT (the default model), seeds 1-4, 1000 trials:
    in at least 3 of 4 the network fixates the mark (reward >= 0.2) in > 80 % of trials
    800-1000 and answers correctly there at least twice as often as in trials 1-200. Measured
    on seeds 1-10: 9 of 10 (fixation 0.875-0.99, correct x2.5-x10; seed 9 never fixated)."""
    out = tmp_path / "saccade"
    saccade.main(["--max-trials", "1000", "--seeds", "1-4", "--jobs", "2", "--out", str(out), "--quiet"])
    config = read_json(out / "seed-001" / "config.json")
    assert config["model"] == "standard" and config["augment"]["retention"] == 1.0
    learned = []
    for seed in range(1, 5):
        trials = read_records(out / f"seed-{seed:03d}" / "trials.csv")
        fixated, correct = trials["reward"] >= 0.2, trials["correct"]
        learned.append(np.mean(fixated[800:]) > 0.8 and np.mean(correct[800:]) >= 2 * np.mean(correct[:200]) > 0)
    assert sum(learned) >= 3, learned
    written = augment_figures.main([str(out), "--out", str(tmp_path / "figures")])
    assert sorted(p.name for p in written) == ["saccade.png", "saccade.svg"]


@pytest.mark.parametrize("command, argv, message", [
    (sequence_prediction, ["--leak", "0.7,1.0,0.5"], "must be one value or a list whose length"),
    (twelve_ax, ["--policy", "boltzmann"], "unknown policy 'boltzmann'"),
    (twelve_ax, ["--variant", "12ax-t"], "unknown 12AX variant '12ax-t'"),
    (saccade, ["--trials", "0"], "--trials must be a positive number"),
    (txor, ["--test-trials", "0"], "--test-trials must be positive"),
    (sequence_prediction, ["--distractors", "-1"], "distractors must be a whole number"),
    (twelve_ax, ["--beta", "0"], "--beta must be positive"),
])
def test_bad_input_fails_with_one_clear_error(command, argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit):
        command.main(argv + ["--out", str(tmp_path / "never")])
    assert message in capsys.readouterr().err
    assert not (tmp_path / "never").exists()
