"""Miconi's (2017) two tasks as objects: named periods, input channels, trial types, targets.

Source: Miconi T. (2017) eLife 6:e20899, "Delayed nonmatch-to-sample task" and
"Selective integration task" (after Mante et al. 2013); values from Miconi's code.
"""

import dataclasses

import numpy as np


@dataclasses.dataclass
class Trial:
    """One trial: ``inputs`` (steps x channels), the target of the output over ``window``."""

    trial_type: int
    inputs: np.ndarray
    target: float
    window: slice
    biases: tuple = ()


class _Task:
    """Common part: a ``timing`` dict of named periods (ms = steps at dt = 1 ms)."""

    timing: dict = {}
    inputs: tuple = ()
    trial_types: tuple = ()
    _options: tuple = ()

    def __init__(self, timing=None):
        self.timing = {**type(self).timing, **(timing or {})}
        bad = {name: ms for name, ms in self.timing.items() if int(ms) != ms or ms < 0}
        if bad or set(self.timing) != set(type(self).timing):
            raise ValueError(
                f"timing must give whole, non-negative steps for {sorted(type(self).timing)}, "
                f"got {self.timing}."
            )

    def options(self) -> dict:
        """The constructor arguments that recreate this task (for config.json)."""
        return {"timing": self.timing, **{k: getattr(self, k) for k in self._options}}

    @property
    def trial_steps(self) -> int:
        return int(sum(self.timing.values()))

    def period(self, name) -> slice:
        """Steps of the named period within a trial."""
        start = 0
        for key, duration in self.timing.items():
            if key == name:
                return slice(start, start + int(duration))
            start += int(duration)
        raise KeyError(name)

    @property
    def response(self) -> slice:
        return self.period("response")

    def trial_type(self, index: int) -> int:
        """Trial types cycle in order (AA, AB, BA, BB for DNMS)."""
        return index % len(self.trial_types)


class DNMS(_Task):
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
        self._trials = []
        for k, name in enumerate(self.trial_types):
            x = np.zeros((self.trial_steps, 2))
            x[self.period("stimulus1"), self.inputs.index(name[0])] = amplitude
            x[self.period("stimulus2"), self.inputs.index(name[1])] = amplitude
            sign = 1.0 if name[0] != name[1] else -1.0
            self._trials.append(Trial(k, x, sign * target, self.response))

    def trial(self, trial_type: int, rng=None) -> Trial:
        return self._trials[trial_type]


class SelectiveIntegration(_Task):
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

    def trial(self, trial_type: int, rng, biases=None) -> Trial:
        """A trial of the given type; ``biases`` = (modality1, modality2) overrides the draw."""
        attended = trial_type // 2
        if biases is None:
            biases = [0.0, 0.0]
            biases[attended] = self.bias if trial_type % 2 == 0 else -self.bias
            biases[1 - attended] = self.bias * rng.choice((-1.0, 1.0))
        stim = self.period("stimulus")
        x = np.zeros((self.trial_steps, len(self.inputs)))
        steps = stim.stop - stim.start
        x[stim, :2] = 0.5 * (self.noise * rng.standard_normal((steps, 2)) + np.asarray(biases))
        x[stim, 2 + attended] = 1.0
        target = self.target * np.sign(biases[attended])
        return Trial(trial_type, x, target, self.response, tuple(biases))
