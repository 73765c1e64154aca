"""The tasks of AuGMEnT's papers as objects: input and action channels, named trial types,
rewards in an overridable dict, and trials that answer each action with a reward.

Sources: Rombouts J.O., Bohte S.M., Roelfsema P.R. (2015) PLoS Comput Biol 11(3):e1004060
(saccade/antisaccade, after Gottlieb & Goldberg 1999); Martinolli M., Gerstner W., Gilra A.
(2018) Front. Comput. Neurosci. 12:50 (12AX and variants, sequence prediction, tXOR). See
shared/specs/augment.md, "Tasks".

The tasks follow the library's task interface (:mod:`protocols.tasks.base`): a trial is played
step by step, ``trial.observation()`` is the input of the current step and
``trial.step(a)`` returns the reward for action ``a`` and advances; ``trial.done`` ends it.
Afterwards ``trial.correct`` says whether the trial was solved and ``trial.responses`` holds
the correctness of each step that was judged (every step in 12AX, the last step in sequence
prediction and tXOR, the saccade in saccade/antisaccade). Trials fixed in advance (all but
saccade/antisaccade) also give whole-trial ``inputs`` and ``targets``.
"""

import numpy as np

from protocols.analysis.criteria import PerTypeWindow, Streak
from protocols.tasks import base


class Task(base.Task):
    """Common part of AuGMEnT's tasks: reinforcement tasks whose outputs are actions.

    ``learn_every_step`` is False where weights change only once per trial (sequence
    prediction); ``reset`` is False where memory carries over between trials (12AX no-reset);
    ``continuous_input`` is True where the inputs are one stream, so that x(t-1) at a trial's
    first step is the previous trial's last input (12AX) rather than zero;
    ``judge_responses`` scores accuracy per judged response rather than per trial (12AX);
    ``confirm`` asks that a met criterion be confirmed by a test of every trial type with
    learning and exploration off (saccade/antisaccade). :meth:`criterion` makes a fresh
    tracker of the convergence criterion; its ``update(trial)`` says whether it is met.
    """

    min_period = 1
    learn_every_step = True
    reset = True
    continuous_input = False
    judge_responses = False
    confirm = False

    def __init__(self, rewards=None, timing=None):
        super().__init__(timing, rewards)

    def criterion(self):
        """Martinolli's criterion for sequence prediction and tXOR: 100 correct trials in a row."""
        return Streak(100, "trial")


class _Sequence(base.Trial):
    """A trial whose inputs are fixed in advance: one set of symbols per step, and the
    correct action of each judged step (``answers``; None: any action, no reward)."""

    def __init__(self, task, trial_type, symbols, answers):
        super().__init__(task, trial_type)
        self.symbols, self.answers = symbols, answers

    def observation(self) -> np.ndarray:
        return self.one_hot(*self.symbols[self.steps])

    @property
    def inputs(self) -> np.ndarray:
        return np.stack([self.one_hot(*symbols) for symbols in self.symbols])

    @property
    def targets(self) -> np.ndarray:
        """The correct action of each step, one-hot over the outputs (NaN where none is)."""
        targets = np.full((len(self.answers), len(self.task.outputs)), np.nan)
        for t, answer in enumerate(self.answers):
            if answer is not None:
                targets[t] = np.eye(len(self.task.outputs))[self.task.outputs.index(answer)]
        return targets

    def step(self, action) -> float:
        target = self.answers[self.steps]
        self.steps += 1
        self.done = self.steps == len(self.symbols)
        if target is None:
            return 0.0
        right = self.task.outputs[action] == target
        self.responses.append(right)
        if self.done:
            self.correct = all(self.responses)
        return self.task.rewards["correct" if right else "error"]


class TwelveAX(Task):
    """12AX: remember the last digit and the last letter; answer R on the target probe.

    A trial is a digit (1 or 2, p = 0.5), then 1-4 inner loops (uniform), each a context
    letter (A, B, C) and a probe (X, Y, Z); pairs are AX and BY with p = 0.25 each, the other
    seven with p = 0.5 / 7. The target action is R at a probe X after A when the digit is 1,
    at a probe Y after B when the digit is 2, and L at every other step. Every step is
    rewarded (+0.1 correct, -1 error in Martinolli's runs). Trial types are the digits.

    Variants: ``"12ax"``; ``"12ax-s"`` (one inner loop); ``"triplets"`` (1-3 triplets,
    uniform, each the trial's digit, a context letter and a probe, with no reset between
    them: Martinolli et al. 2018, Supplementary Material E); ``"ax"`` (one context-probe
    pair, no digit: R iff AX; trial types are the pairs). ``reset=False`` keeps memory,
    traces and tags across trials (one endless sequence). The symbols form one stream: the
    first step of a trial sees the last symbol of the previous one as x(t-1), as in
    Martinolli's code (``continuous_input=False`` makes it zero instead).
    """

    metadata = {"paper": "Martinolli et al. (2018) Front. Comput. Neurosci. 12:50",
                "tags": ["working memory", "hierarchical", "12AX"]}
    inputs = ("1", "2", "A", "B", "C", "X", "Y", "Z")
    outputs = ("L", "R")
    rewards = {"correct": 0.1, "error": -1.0}
    judge_responses = True
    VARIANTS = ("12ax", "12ax-s", "triplets", "ax")
    PAIRS = tuple(c + p for c in "ABC" for p in "XYZ")

    def __init__(self, variant="12ax", reset=True, continuous_input=True, rewards=None):
        if variant not in self.VARIANTS:
            raise ValueError(f"unknown 12AX variant {variant!r}; choose one of {list(self.VARIANTS)}.")
        super().__init__(rewards)
        self.variant, self.reset, self.continuous_input = variant, reset, continuous_input
        self.trial_types = self.PAIRS if variant == "ax" else ("1", "2")
        self.pair_p = np.array([0.25 if pair in ("AX", "BY") else 0.5 / 7 for pair in self.PAIRS])
        self._pair_cdf = np.cumsum(self.pair_p)

    def options(self) -> dict:
        return {"variant": self.variant, "reset": self.reset,
                "continuous_input": self.continuous_input, "rewards": self.rewards}

    def criterion(self):
        """1000 consecutive correct responses."""
        return Streak(1000, "response")

    def new_trial(self, rng, trial_type=None) -> base.Trial:
        if self.variant == "ax":
            if trial_type is None:
                trial_type = self.PAIRS[rng.choice(len(self.PAIRS), p=self.pair_p)]
            return self._trial(trial_type, rng)
        return super().new_trial(rng, trial_type)

    def _trial(self, trial_type, rng) -> base.Trial:
        if self.variant == "ax":
            return _Sequence(self, trial_type, [trial_type[0], trial_type[1]],
                             ["L", "R" if trial_type == "AX" else "L"])
        digit = trial_type
        triplets = self.variant == "triplets"
        if self.variant == "12ax-s":
            loops = 1
        else:
            loops = int(rng.integers(1, 4 if triplets else 5))
        target = "AX" if digit == "1" else "BY"
        symbols, targets = [digit], ["L"]
        drawn = np.searchsorted(self._pair_cdf, rng.random(loops) * self._pair_cdf[-1], "right")
        for n, k in enumerate(drawn):
            pair = self.PAIRS[k]
            if triplets and n > 0:  # every triplet after the first repeats the digit
                symbols.append(digit)
                targets.append("L")
            symbols += [pair[0], pair[1]]
            targets += ["L", "R" if pair == target else "L"]
        return _Sequence(self, trial_type, symbols, targets)


class SequencePrediction(Task):
    """Sequence prediction with d distractors: after A or X (p = 0.5) come d fixed letters
    (the same ones every trial); at the last step the network must answer Z after A and Y
    after X (+1 / -1, nothing at the other steps). Weights change once per trial, at its end,
    with the tags accumulated over the steps."""

    metadata = {"paper": "Martinolli et al. (2018) Front. Comput. Neurosci. 12:50",
                "tags": ["working memory", "distractors"]}
    outputs = ("Y", "Z")
    trial_types = ("A", "X")
    rewards = {"correct": 1.0, "error": -1.0}
    learn_every_step = False

    def __init__(self, distractors=4, rewards=None):
        if int(distractors) != distractors or distractors < 0:
            raise ValueError(f"distractors must be a whole number >= 0, got {distractors}.")
        super().__init__(rewards)
        self.distractors = int(distractors)
        self.inputs = ("A", "X") + tuple(f"D{k + 1}" for k in range(self.distractors))

    def options(self) -> dict:
        return {"distractors": self.distractors, "rewards": self.rewards}

    def _trial(self, trial_type, rng) -> base.Trial:
        symbols = [[trial_type]] + [[name] for name in self.inputs[2:]]
        targets = [None] * self.distractors + ["Z" if trial_type == "A" else "Y"]
        return _Sequence(self, trial_type, symbols, targets)


class TemporalXOR(Task):
    """tXOR: a digit (1 or 2), a letter (A or B), then a blank step at which the network must
    answer R iff (1, A) or (2, B), else L (+1 / -1, nothing at the first two steps)."""

    metadata = {"paper": "Martinolli et al. (2018) Front. Comput. Neurosci. 12:50",
                "tags": ["working memory", "XOR"]}
    inputs = ("1", "2", "A", "B")
    outputs = ("L", "R")
    trial_types = ("1A", "1B", "2A", "2B")
    rewards = {"correct": 1.0, "error": -1.0}

    def _trial(self, trial_type, rng) -> base.Trial:
        target = "R" if trial_type in ("1A", "2B") else "L"
        return _Sequence(self, trial_type, [[trial_type[0]], [trial_type[1]], []],
                         [None, None, target])


class Saccade(Task):
    """Saccade/antisaccade (Gottlieb & Goldberg 1999) as in Rombouts et al. (2015).

    An empty screen (``timing["empty"]`` steps); a fixation mark (pro or anti) that must be
    fixated within ``wait`` steps, else the trial ends unrewarded; once fixated for
    ``fixation`` steps (the acquiring step included) a cue (left or right) appears for
    ``cue`` steps with the shaping reward, then ``delay`` steps with the mark only; then the
    mark goes off and within ``go`` steps the network must saccade to the cue (pro) or away
    from it (anti) for the final reward. Breaking fixation before the go signal ends the trial
    unrewarded; ``strict=False`` (Martinolli's looser variant) ignores actions during cue and
    delay instead. ``shaping=False`` sets the fixation reward to 0. Trial types (mark-cue
    side) are drawn uniformly.
    """

    metadata = {"paper": "Rombouts et al. (2015) PLoS Comput Biol 11(3):e1004060",
                "tags": ["working memory", "saccade", "antisaccade"]}
    inputs = ("pro", "anti", "cue_left", "cue_right")
    outputs = ("left", "fixate", "right")
    trial_types = ("pro-left", "pro-right", "anti-left", "anti-right")
    rewards = {"fixation": 0.2, "final": 1.5}
    timing = {"empty": 1, "wait": 10, "fixation": 2, "cue": 1, "delay": 2, "go": 8}
    confirm = True

    def __init__(self, shaping=True, strict=True, rewards=None, timing=None):
        super().__init__(rewards, timing)
        self.shaping, self.strict = shaping, strict
        if not shaping:
            self.rewards["fixation"] = 0.0

    def options(self) -> dict:
        return {"shaping": self.shaping, "strict": self.strict, **super().options()}

    def criterion(self):
        """>= 90 % correct over the last 50 trials of each type (then confirmed by a test)."""
        return PerTypeWindow(self.trial_types, window=50, fraction=0.9)

    def _trial(self, trial_type, rng) -> base.Trial:
        return _SaccadeTrial(self, trial_type)


class _SaccadeTrial(base.Trial):
    """The state machine of one saccade/antisaccade trial: empty, wait, fixation, cue,
    delay, go; ``fixated`` says whether the cue was reached."""

    def __init__(self, task, trial_type):
        super().__init__(task, trial_type)
        self.mark, side = trial_type.split("-")
        self.cue = f"cue_{side}"
        self.target = side if self.mark == "pro" else {"left": "right", "right": "left"}[side]
        self.state, self.ticks, self.fixated = "empty", 0, False

    def observation(self) -> np.ndarray:
        if self.state in ("empty", "go"):
            return self.one_hot()
        if self.state == "cue":
            return self.one_hot(self.mark, self.cue)
        return self.one_hot(self.mark)

    def _enter(self, state):
        self.state, self.ticks = state, 0

    def step(self, action) -> float:
        timing, fixate = self.task.timing, self.task.outputs[action] == "fixate"
        self.steps += 1
        self.ticks += 1
        if self.state == "empty":
            if self.ticks == timing["empty"]:
                self._enter("wait")
        elif self.state == "wait":
            if fixate:
                self._enter("fixation")
                return self._hold()
            if self.ticks == timing["wait"]:
                self.done = True
        elif self.state == "fixation":
            if not fixate:
                self.done = True
                return 0.0
            return self._hold()
        elif self.state in ("cue", "delay"):
            if self.task.strict and not fixate:
                self.done = True
            elif self.ticks == timing[self.state]:
                self._enter("delay" if self.state == "cue" else "go")
        elif not fixate:  # go: the saccade
            self.correct = self.task.outputs[action] == self.target
            self.responses.append(self.correct)
            self.done = True
            return self.task.rewards["final"] if self.correct else 0.0
        elif self.ticks == timing["go"]:
            self.responses.append(False)
            self.done = True
        return 0.0

    def _hold(self) -> float:
        """One more step of fixation (ticks counts them); the cue and the shaping reward
        come after ``fixation`` steps."""
        self.ticks = max(self.ticks, 1)
        if self.ticks < self.task.timing["fixation"]:
            return 0.0
        self.fixated = True
        self._enter("cue")
        return self.task.rewards["fixation"]

