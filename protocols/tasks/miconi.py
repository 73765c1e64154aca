"""Miconi's (2017) two tasks as objects: named periods, input channels, trial types, targets.

Source: Miconi T. (2017) eLife 6:e20899, "Delayed nonmatch-to-sample task" and
"Selective integration task" (after Mante et al. 2013); values from Miconi's code.
"""

import numpy as np

from protocols.tasks.base import Task, Trial


class WindowTrial(Trial):
    """A trial fixed in advance: ``inputs`` (steps x channels) and one ``target`` for the
    output over ``window`` (``targets``: the same as an array, NaN outside the window);
    ``biases`` are selective integration's modality biases."""

    def __init__(self, task, trial_type, inputs, target, window, biases=()):
        super().__init__(task, trial_type)
        self.inputs, self.target, self.window, self.biases = inputs, target, window, tuple(biases)
        self.targets = np.full((len(inputs), 1), np.nan)
        self.targets[window] = target


class _MiconiTask(Task):
    """Common part: one output, a response period, trial types that cycle in order."""

    outputs = ("output",)

    @property
    def response(self) -> slice:
        return self.period("response")

    def trial_type(self, index: int) -> str:
        """Trial types cycle in order (AA, AB, BA, BB for DNMS)."""
        return self.trial_types[index % len(self.trial_types)]


class DNMS(_MiconiTask):
    """Delayed non-match-to-sample.

    Two stimuli (A or B) separated by a delay; after a second delay the output must be
    +target if they differ (non-match: AB, BA) and -target if they match (AA, BB).
    The four trial types cycle AA, AB, BA, BB.
    """

    metadata = {"paper": "Miconi (2017) eLife 6:e20899, Fig. 1", "tags": ["working memory"]}
    timing = {"stimulus1": 200, "delay1": 200, "stimulus2": 200, "delay2": 200, "response": 200}
    inputs = ("A", "B")
    trial_types = ("AA", "AB", "BA", "BB")
    _options = ("target", "amplitude")

    def __init__(self, timing=None, target=0.98, amplitude=1.0):
        super().__init__(timing)
        self.target, self.amplitude = target, amplitude
        self._inputs = {}
        for name in self.trial_types:
            x = np.zeros((self.trial_steps, 2))
            x[self.period("stimulus1"), self.inputs.index(name[0])] = amplitude
            x[self.period("stimulus2"), self.inputs.index(name[1])] = amplitude
            self._inputs[name] = x

    def _trial(self, trial_type, rng) -> WindowTrial:
        sign = 1.0 if trial_type[0] != trial_type[1] else -1.0
        return WindowTrial(self, trial_type, self._inputs[trial_type], sign * self.target, self.response)


class SelectiveIntegration(_MiconiTask):
    """Context-dependent selective integration of two noisy modalities.

    During the stimulus each modality carries ``0.5 * (N(0, 1) + bias)`` per step; a context
    cue says which modality counts. The output must take the sign of the attended modality's
    bias over the response period and ignore the other modality, whose bias has a random sign.
    Trial types (attended modality x sign) cycle m1+, m1-, m2+, m2-.
    """

    metadata = {
        "paper": "Miconi (2017) eLife 6:e20899, Fig. 4 (after Mante et al. 2013)",
        "tags": ["context", "integration"],
    }
    timing = {"stimulus": 500, "response": 200}
    inputs = ("modality1", "modality2", "context1", "context2", "unused")
    trial_types = ("m1+", "m1-", "m2+", "m2-")
    _options = ("bias", "noise", "target")

    def __init__(self, timing=None, bias=0.5, noise=1.0, target=1.0):
        super().__init__(timing)
        self.bias, self.noise, self.target = bias, noise, target

    def _trial(self, trial_type, rng, biases=None) -> WindowTrial:
        attended = int(trial_type[1]) - 1
        if biases is None:
            biases = [0.0, 0.0]
            biases[attended] = self.bias if trial_type[2] == "+" else -self.bias
            biases[1 - attended] = self.bias * rng.choice((-1.0, 1.0))
        stim = self.period("stimulus")
        x = np.zeros((self.trial_steps, len(self.inputs)))
        steps = stim.stop - stim.start
        x[stim, :2] = 0.5 * (self.noise * rng.standard_normal((steps, 2)) + np.asarray(biases))
        x[stim, 2 + attended] = 1.0
        target = self.target * np.sign(biases[attended])
        return WindowTrial(self, trial_type, x, target, self.response, biases)

    def with_biases(self, trial_type, biases, rng) -> WindowTrial:
        """A trial of ``trial_type`` (its context) with the given (modality1, modality2) biases."""
        return self._trial(trial_type, rng, biases)
