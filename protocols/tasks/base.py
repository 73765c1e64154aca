"""The one task interface, after NeuroGym's ``TrialEnv``: every task of the library is a
:class:`Task` and every trial a :class:`Trial`.

A task class says in its docstring what the subject must do and sets, as class attributes,
``metadata`` (paper, tags), ``timing`` (named periods -> steps, in order; the caller can
override them), ``inputs`` and ``outputs`` (named input and output channels; the outputs of a
reinforcement task are its actions), ``trial_types`` and ``rewards`` (overridable). A seeded
per-trial builder, :meth:`Task.new_trial`, makes one :class:`Trial`:

* step by step, for reinforcement learning: ``trial.observation()`` is the input of the current
  step and ``trial.step(action)`` returns its reward and advances, until ``trial.done``;
* as whole-trial arrays, for gradient training: ``trial.inputs`` (steps x inputs) and
  ``trial.targets`` (steps x outputs, NaN where nothing is asked), where the task fixes them in
  advance; :meth:`Task.batch` stacks a batch of them.

``task.options()`` gives the constructor arguments that recreate the task (for config.json).
"""

import numpy as np


class Trial:
    """One trial: its type, the steps played, whether it ended and was solved, and the
    correctness of each judged response."""

    def __init__(self, task, trial_type):
        self.task, self.trial_type = task, trial_type
        self.steps, self.done, self.correct = 0, False, False
        self.responses = []

    def observation(self) -> np.ndarray:
        """The input channels at the current step."""
        return self.inputs[self.steps]

    def step(self, action) -> float:
        """Answer the current step with ``action`` (an output index); return the reward."""
        raise NotImplementedError(f"{type(self.task).__name__} trials are not played step by step.")

    def one_hot(self, *channels) -> np.ndarray:
        """An input vector with the named channels at 1."""
        x = np.zeros(len(self.task.inputs))
        for name in channels:
            x[self.task.inputs.index(name)] = 1.0
        return x


class Task:
    """Common part of every task: named periods, channels, trial types, rewards, metadata."""

    metadata: dict = {}
    timing: dict = {}
    inputs: tuple = ()
    outputs: tuple = ()
    trial_types: tuple = ()
    rewards: dict = {}
    min_period = 0  # the shortest period, in steps, that the task allows
    _options: tuple = ()  # constructor arguments beyond timing and rewards, for options()

    def __init__(self, timing=None, rewards=None):
        self.timing = _override("timing", type(self).timing, timing)
        self.rewards = _override("rewards", type(self).rewards, rewards)
        bad = {k: v for k, v in self.timing.items() if int(v) != v or v < self.min_period}
        if bad:
            raise ValueError(
                f"timing must give whole numbers of steps >= {self.min_period}, got {bad}."
            )

    def options(self) -> dict:
        """The constructor arguments that recreate this task (for config.json)."""
        options = {k: getattr(self, k) for k in self._options}
        if type(self).timing:
            options["timing"] = self.timing
        if type(self).rewards:
            options["rewards"] = self.rewards
        return options

    @property
    def trial_steps(self) -> int:
        """Steps of a trial whose periods are all played."""
        return int(sum(self.timing.values()))

    def period(self, name) -> slice:
        """Steps of the named period within a trial."""
        start = 0
        for key, duration in self.timing.items():
            if key == name:
                return slice(start, start + int(duration))
            start += int(duration)
        raise KeyError(name)

    def new_trial(self, rng, trial_type=None) -> Trial:
        """A trial of ``trial_type`` (a name), or of a type drawn with ``rng``."""
        if trial_type is None:
            trial_type = self.trial_types[rng.integers(len(self.trial_types))]
        elif trial_type not in self.trial_types:
            raise ValueError(f"unknown trial type {trial_type!r}; one of {self.trial_types}.")
        return self._trial(trial_type, rng)

    def _trial(self, trial_type, rng) -> Trial:
        raise NotImplementedError

    def batch(self, rng, n, trial_type=None) -> tuple:
        """``n`` new trials as arrays (inputs: n x steps x inputs, targets: n x steps x
        outputs), for tasks whose trials fix them in advance and have one length."""
        trials = [self.new_trial(rng, trial_type) for _ in range(n)]
        return np.stack([t.inputs for t in trials]), np.stack([t.targets for t in trials])


def _override(what, defaults, given):
    given = dict(given or {})
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; the task has {sorted(defaults)}.")
    return {**defaults, **given}
