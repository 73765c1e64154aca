"""Orhan & Ma's binary tasks played as Miconi's window trials, for the node-perturbation reservoir.

Sources: the tasks of :mod:`protocols.tasks.orhan_ma` (Orhan & Ma 2019, Nat. Neurosci.
22:275-283) on the trial interface of :mod:`protocols.tasks.miconi` (Miconi 2017, eLife
6:e20899). A trial is the Orhan & Ma trial itself: the same Poisson spike counts (inputs x
steps, one step per ms of the reservoir), multiplied by ``gain`` (the drive of one spike); over
the whole response period the reservoir's output unit must be ``+target`` for class 1 (2AFC:
right) and ``-target`` for class 0, Miconi's error being the mean |r_out - target| there.
Its answer is read where Orhan & Ma read theirs (step -5) and taken as the probability
P(class 1) = (1 + r_out) / 2, so that the fractional information loss against the ideal
observer is the same measure as for the BPTT networks. Trial types (the classes) alternate,
as in Miconi's tasks; each trial is drawn until its class is the one asked for.
"""

import numpy as np

from protocols.tasks.base import Task
from protocols.tasks.miconi import WindowTrial
from protocols.tasks.orhan_ma import TASKS


class WindowedTask(Task):
    """An Orhan & Ma binary task (``task``: 2afc, comp or cd, built with ``task_options``,
    e.g. a shorter delay) for a reservoir with one tanh output."""

    outputs = ("output",)
    _options = ("task", "gain", "target", "task_options")

    def __init__(self, task="2afc", gain=5.0, target=0.98, task_options=None):
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; choose one of {sorted(TASKS)}.")
        binary = sorted(name for name, cls in TASKS.items() if cls.measure == "information")
        if task not in binary:
            raise ValueError(f"{task} is not a binary task; a windowed task is one of {binary}.")
        if gain <= 0 or not 0 < target < 1:
            raise ValueError(f"the gain must be positive and the target in (0, 1), got {gain} and {target}.")
        super().__init__()
        self.task, self.gain, self.target = task, float(gain), float(target)
        self.task_options = dict(task_options or {})
        self.orhan = TASKS[task](**self.task_options)
        self.timing, self.inputs, self.trial_types = self.orhan.timing, self.orhan.inputs, self.orhan.trial_types
        self.metadata = {"paper": f"{self.orhan.metadata['paper']}, on Miconi's (2017) trial interface",
                         "tags": self.orhan.metadata["tags"]}

    @property
    def response(self) -> slice:
        return self.period("response")

    def trial_type(self, index: int) -> str:
        """The classes alternate (2AFC: left, right, left, ...)."""
        return self.trial_types[index % len(self.trial_types)]

    def new_trial(self, rng, trial_type=None) -> WindowTrial:
        """One trial of class ``trial_type`` (None: whichever is drawn)."""
        while True:
            batch = self.orhan.draw(rng, 1)
            if trial_type in (None, self.trial_types[batch.category[0]]):
                return self.trial_of(batch, 0)

    def trial_of(self, batch, index: int) -> WindowTrial:
        """Trial ``index`` of an Orhan & Ma :class:`~protocols.tasks.orhan_ma.TrialBatch`."""
        category = int(batch.category[index])
        return WindowTrial(self, self.trial_types[category], self.gain * batch.inputs[index],
                           self.target if category else -self.target, self.response)

    def performance(self, batch, outputs) -> dict:
        """Orhan & Ma's measure (:meth:`OrhanMaTask.performance`) of the output unit's rates
        ``outputs`` (trials x steps x 1), read as P(class 1) = (1 + r) / 2."""
        return self.orhan.performance(batch, (1.0 + np.asarray(outputs, dtype=float)) / 2.0)
