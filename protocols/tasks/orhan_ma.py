"""Orhan & Ma's (2019) seven short-term memory tasks, with each task's ideal observer.

Source: Orhan A.E., Ma W.J. (2019) Nature Neuroscience 22:275-283; the values are those of the
authors' code (eminorhan/recurrent-memory, ``generators.py`` and ``run_basic_expts.py``), as
collected in shared/specs/orhan.md.

A trial has three periods (stimulus 25, delay 100, response 25 steps; overridable through
``timing``). The inputs are Poisson spike counts, one count per input unit and step, 50 units
per stimulus location. While a stimulus is shown a unit's rate per step is its tuning value
divided by the period's length, so that its expected count over the period is the tuning
value; otherwise the units fire spontaneously at 0.1 spread over the period (0.1 / 100 per
step in a 100-step delay). The network answers at every step of the response period (its
loss) and its answer is read at step -5 (:attr:`OrhanMaTask.answer_step`), where it is
compared with the ideal observer that sees the same spikes
(:mod:`protocols.analysis.performance`).

Trials are drawn in batches (:meth:`OrhanMaTask.draw`), all arrays at once; a single trial
(:meth:`OrhanMaTask.new_trial`) is a batch of one.
"""

import dataclasses

import numpy as np
from scipy.special import i0, ndtr

from protocols.analysis import performance
from protocols.tasks.base import Task, Trial

PAPER = "Orhan & Ma (2019) Nat. Neurosci. 22:275-283"


@dataclasses.dataclass
class TrialBatch:
    """Trials as arrays: ``inputs`` (trials x steps x inputs, spike counts), ``targets``
    (trials x steps x outputs, NaN outside the response period), ``stimulus`` (the latent
    values the answer is judged against: trials x outputs), ``ideal`` (the ideal observer's
    estimate or probability, trials x outputs) and ``category`` (binary tasks: the class,
    0 or 1, per trial; else None). With variable delays, ``delays`` (steps per trial) and
    ``mask`` (trials x steps, False on the padding steps, where the network does not update)."""

    inputs: np.ndarray
    targets: np.ndarray
    stimulus: np.ndarray
    ideal: np.ndarray
    category: np.ndarray = None
    delays: np.ndarray = None
    mask: np.ndarray = None

    def unpadded(self, index) -> np.ndarray:
        """The inputs of trial ``index`` without its padding steps."""
        return self.inputs[index] if self.mask is None else self.inputs[index][self.mask[index]]

    def __len__(self):
        return len(self.inputs)


class OrhanMaTrial(Trial):
    """One trial of a batch: its arrays and its stimulus, ideal answer and category."""

    def __init__(self, task, batch: TrialBatch, index: int = 0):
        category = None if batch.category is None else int(batch.category[index])
        super().__init__(task, task.trial_types[category or 0])
        self.inputs, self.targets = batch.inputs[index], batch.targets[index]
        self.stimulus, self.ideal = batch.stimulus[index], batch.ideal[index]
        self.category = category


class OrhanMaTask(Task):
    """Common part: periods, Poisson inputs, the readout, the loss and the performance measure.

    ``readout`` is the output nonlinearity (``linear`` or ``sigmoid``), ``loss`` the training
    loss over the response period (``mod_pi``: mean of mod(|y - s|, pi), the code's;
    ``cross_entropy``; ``l1``), ``measure`` the performance measure of
    :mod:`protocols.analysis.performance` (``estimation``, ``information``, ``sine``).
    """

    metadata = {"paper": PAPER, "tags": ["short-term memory", "Poisson inputs"]}
    timing = {"stimulus": 25, "delay": 100, "response": 25}
    min_period = 1
    locations = 1
    readout = "linear"
    loss = "mod_pi"
    measure = "estimation"
    trial_types = ("trial",)
    sweep = None  # the range a dynamic input sweeps (its units' preferred values), per task
    dynamic_gain = 1.0
    _options = ("units", "spontaneous", "answer_offset", "delays", "dynamic")

    def __init__(self, timing=None, units=50, spontaneous=0.1, answer_offset=5, delays=None, dynamic=False):
        super().__init__(timing)
        if dynamic and self.sweep is None:
            raise ValueError(f"{type(self).__name__} has no dynamic input (the original gives it none).")
        self.dynamic = bool(dynamic)
        if delays is not None:
            delays = [int(d) for d in delays]
            if min(delays) < 1 or max(delays) != self.timing["delay"]:
                raise ValueError(f"variable delays must be positive with the longest equal to the delay "
                                 f"period ({self.timing['delay']} steps), got {delays}.")
        self.delays = delays
        if units < 2:
            raise ValueError(f"units per location must be at least 2, got {units}.")
        if not 1 <= answer_offset <= self.timing["response"]:
            raise ValueError(f"the answer must be read within the response period: answer_offset in "
                             f"[1, {self.timing['response']}], got {answer_offset}.")
        self.answer_offset = int(answer_offset)
        if spontaneous < 0:
            raise ValueError(f"the spontaneous rate must be non-negative, got {spontaneous}.")
        self.units, self.spontaneous = int(units), float(spontaneous)
        self.inputs = tuple(f"location{loc}:{i}" for loc in range(self.locations) for i in range(self.units))
        if self.dynamic:
            self.inputs = tuple(f"dynamic:{i}" for i in range(self.units)) + self.inputs

    @property
    def answer_step(self) -> int:
        """The step at which the answer is read: index -``answer_offset`` of the trial (-5;
        -10 in the tethered condition)."""
        return self.trial_steps - self.answer_offset

    def new_trial(self, rng, trial_type=None) -> OrhanMaTrial:
        """One trial (a batch of one); its type is drawn with its stimulus."""
        return OrhanMaTrial(self, self._typeless_draw(rng, 1, trial_type))

    def batch(self, rng, n, trial_type=None) -> tuple:
        """``n`` new trials: (inputs, targets)."""
        drawn = self._typeless_draw(rng, n, trial_type)
        return drawn.inputs, drawn.targets

    def _typeless_draw(self, rng, n, trial_type) -> "TrialBatch":
        if trial_type is not None:
            raise ValueError(f"{type(self).__name__} draws the trial type with the stimulus; give none.")
        return self.draw(rng, n)

    def draw(self, rng, n) -> TrialBatch:
        """``n`` new trials as arrays (:class:`TrialBatch`).

        With ``delays`` (the variable-delay condition, after the original's ``Var*`` tasks),
        each trial's delay is drawn from them; the trial keeps the full length with the
        padding (delay period minus the drawn delay) right after the drawn delay, before the
        response: there the inputs are 0 and ``mask`` is False (the network holds its state).
        The delay's spontaneous rate per step stays that of the full period, as in the original.

        With ``dynamic`` (the dynamic-input condition, after the original's
        ``dynamic_input_generators.py``), ``units`` more Poisson inputs come first: a bump that
        sweeps linearly over the task's range (``sweep``) during the whole trial, rate
        ``dynamic_gain * exp(-10 (s_t - phi_i)^2)`` per step with phi_i the task's preferred
        values; it carries nothing about the answer.
        """
        batch = self._draw(rng, n)
        if self.dynamic:
            s = np.linspace(*self.sweep, self.trial_steps)[:, None]
            rates = self.dynamic_gain * np.exp(-10.0 * (s - self.preferred) ** 2)
            sweep = rng.poisson(np.broadcast_to(rates, (n,) + rates.shape)).astype(np.float32)
            batch.inputs = np.concatenate([sweep, batch.inputs], axis=2)
        if self.delays is None:
            return batch
        batch.delays = rng.choice(self.delays, size=n)
        delay = self.period("delay")
        steps = np.arange(self.trial_steps)
        batch.mask = ~((steps >= delay.start + batch.delays[:, None]) & (steps < delay.stop))
        batch.inputs = batch.inputs * batch.mask[:, :, None]
        return batch

    def _draw(self, rng, n) -> TrialBatch:
        raise NotImplementedError

    def performance(self, batch: TrialBatch, outputs) -> dict:
        """The performance of ``outputs`` (trials x steps x outputs) on ``batch``: the
        fractional loss against the ideal observer (and its variants)."""
        outputs = np.asarray(outputs, dtype=float)
        if self.measure == "sine":
            window = self.period("response")
            return performance.sine_loss(batch.targets[:, window], outputs[:, window])
        answers = outputs[:, self.answer_step]
        if self.measure == "estimation":
            return performance.estimation_loss(batch.stimulus, batch.ideal, answers)
        return performance.information_loss(batch.ideal, answers, batch.category)

    # -- building blocks -----------------------------------------------------------------

    @property
    def _task_inputs(self) -> int:
        """The task's own input units (the dynamic input's come on top)."""
        return self.locations * self.units

    def _duration(self, name) -> int:
        return int(self.timing[name])

    def _rates(self, n, name, tuning=None) -> np.ndarray:
        """Rates per step over the period ``name``: ``tuning`` (trials x inputs: the expected
        count over the period) spread over its steps, or the spontaneous rate if None."""
        steps = self._duration(name)
        if tuning is None:
            tuning = np.full((n, self._task_inputs), self.spontaneous)
        return np.repeat((tuning / steps)[:, None, :], steps, axis=1)

    @staticmethod
    def _spikes(rng, rates: list) -> np.ndarray:
        """Poisson counts (trials x steps x inputs) from the per-period ``rates``, in order."""
        return rng.poisson(np.concatenate(rates, axis=1)).astype(np.float32)

    def _targets(self, value) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        targets = np.full((len(value), self.trial_steps, value.shape[1]), np.nan)
        targets[:, self.period("response")] = value[:, None, :]
        return targets

    def _counts(self, counts, name) -> np.ndarray:
        """The summed counts of each unit over the period ``name`` (trials x inputs)."""
        return counts[:, self.period(name)].sum(axis=1)


# -- orientation tasks (delayed estimation, change detection, gated estimation) --------------

class _OrientationTask(OrhanMaTask):
    """Orientations s in [0, pi); von Mises tuning exp(kappa (cos 2(s - phi_i) - 1)) with
    phi = linspace(0, pi, units) and kappa = 2 at each location."""

    kappa = 2.0
    sweep = (0.0, np.pi)

    @property
    def preferred(self) -> np.ndarray:
        return np.linspace(0.0, np.pi, self.units)

    def _tuning(self, s) -> np.ndarray:
        """Expected counts (trials x inputs) for orientations ``s`` (trials x locations)."""
        s = np.asarray(s, dtype=float)
        tuned = np.exp(self.kappa * (np.cos(2.0 * (s[:, :, None] - self.preferred)) - 1.0))
        return tuned.reshape(len(s), -1)

    def _vector(self, counts) -> np.ndarray:
        """The population vector on the doubled angle, per location: a complex number
        (trials x locations) whose angle is the ideal estimate of 2 s."""
        c = counts.reshape(len(counts), self.locations, self.units)
        return c @ np.exp(2j * self.preferred)

    def _estimate(self, counts) -> np.ndarray:
        """The ideal observer's orientation in [0, pi) per location (trials x locations)."""
        return np.mod(np.angle(self._vector(counts)) / 2.0, np.pi)


class DelayedEstimation(_OrientationTask):
    """Delayed estimation of one orientation (DE-1).

    One orientation per location is shown during the stimulus; after the delay the network
    must report each orientation (one linear output per location) over the response period,
    in which the inputs fire spontaneously. The ideal observer is the population vector of
    the stimulus counts. Loss: mean of mod(|y - s|, pi) over the response period.
    """

    metadata = {"paper": PAPER + ", DE-1", "tags": ["estimation", "short-term memory"]}

    @property
    def outputs(self) -> tuple:
        return tuple(f"orientation{i}" for i in range(self.locations))

    def _draw(self, rng, n) -> TrialBatch:
        s = np.pi * rng.random((n, self.locations))
        rates = [self._rates(n, "stimulus", self._tuning(s)), self._rates(n, "delay"),
                 self._rates(n, "response")]
        counts = self._spikes(rng, rates)
        ideal = self._estimate(self._counts(counts, "stimulus"))
        return TrialBatch(counts, self._targets(s), s, ideal)


class DelayedEstimationTwo(DelayedEstimation):
    """Delayed estimation of two orientations at two locations (DE-2): both are reported."""

    metadata = {"paper": PAPER + ", DE-2", "tags": ["estimation", "short-term memory"]}
    locations = 2


class ChangeDetection(_OrientationTask):
    """Change detection (CD): was the orientation shown again after the delay the same?

    An orientation s1 is shown during the stimulus; during the response period a probe s2 is
    shown with the same gain: s2 = s1 with probability 1/2 (same), else a fresh draw
    (changed). One sigmoid output, trained to 1 for "changed" (cross-entropy). The ideal
    observer is the code's von Mises approximation of the posterior of a change.
    """

    metadata = {"paper": PAPER + ", CD", "tags": ["change detection", "short-term memory"]}
    readout, loss, measure = "sigmoid", "cross_entropy", "information"
    outputs = ("changed",)
    trial_types = ("same", "changed")
    dynamic_gain = 0.1

    def _draw(self, rng, n) -> TrialBatch:
        changed = rng.integers(0, 2, n)
        s1 = np.pi * rng.random((n, 1))
        s2 = np.where(changed[:, None] == 1, np.pi * rng.random((n, 1)), s1)
        rates = [self._rates(n, "stimulus", self._tuning(s1)), self._rates(n, "delay"),
                 self._rates(n, "response", self._tuning(s2))]
        counts = self._spikes(rng, rates)
        ideal = self._posterior(self._counts(counts, "stimulus"), self._counts(counts, "response"))
        return TrialBatch(counts, self._targets(changed[:, None]), changed[:, None].astype(float),
                          ideal[:, None], changed)

    def _posterior(self, first, second) -> np.ndarray:
        """P(changed | counts) = d / (1 + d), d = I0(k1) I0(k2) / I0(|k1 e^{i m1} + k2 e^{i m2}|),
        with m the angle of the doubled-angle population vector and k = |sum_i r_i e^{i phi_i}|
        (the code's concentration, on the single angle)."""
        m1, m2 = np.angle(self._vector(first)[:, 0]), np.angle(self._vector(second)[:, 0])
        k1, k2 = np.abs(first @ np.exp(1j * self.preferred)), np.abs(second @ np.exp(1j * self.preferred))
        d = i0(k1) * i0(k2) / i0(np.sqrt(k1**2 + k2**2 + 2.0 * k1 * k2 * np.cos(m2 - m1)))
        return d / (d + 1.0)


class GatedDelayedEstimation(_OrientationTask):
    """Gated delayed estimation (GDE): two orientations, then a cue says which to report.

    Two orientations are shown at two locations; in the response period the spontaneous rate
    of the cued location's units is five times larger. One linear output must report the cued
    orientation. The ideal observer is the population vector at the cued location.
    """

    metadata = {"paper": PAPER + ", GDE", "tags": ["estimation", "gating", "short-term memory"]}
    locations = 2
    outputs = ("cued orientation",)
    trial_types = ("cue first", "cue second")
    cue_gain = 5.0

    def _draw(self, rng, n) -> TrialBatch:
        cue = rng.integers(0, 2, n)
        s = np.pi * rng.random((n, 2))
        response = np.full((n, 2, self.units), self.spontaneous)
        response[np.arange(n), cue] *= self.cue_gain
        rates = [self._rates(n, "stimulus", self._tuning(s)), self._rates(n, "delay"),
                 self._rates(n, "response", response.reshape(n, -1))]
        counts = self._spikes(rng, rates)
        estimate = self._estimate(self._counts(counts, "stimulus"))
        picked = np.arange(n), cue
        return TrialBatch(counts, self._targets(s[picked][:, None]), s[picked][:, None],
                          estimate[picked][:, None], cue)


# -- tasks on a line (2AFC, comparison) -----------------------------------------------------

class TwoAlternativeForcedChoice(OrhanMaTask):
    """Two-alternative forced choice (2AFC, after Harvey et al. 2012): left or right?

    A stimulus at s = -15 (left) or +15 (right) is shown through Gaussian tuning curves
    (sd 15, centres linspace(-40, 40, units)); after the delay one sigmoid output must be 1
    for right (cross-entropy). The ideal observer is the Poisson posterior of "right".
    """

    metadata = {"paper": PAPER + ", 2AFC (after Harvey et al. 2012)", "tags": ["decision", "short-term memory"]}
    readout, loss, measure = "sigmoid", "cross_entropy", "information"
    outputs = ("right",)
    trial_types = ("left", "right")
    width, position = 15.0, 15.0
    sweep = (-40.0, 40.0)

    @property
    def preferred(self) -> np.ndarray:
        return np.linspace(-40.0, 40.0, self.units)

    def _draw(self, rng, n) -> TrialBatch:
        right = rng.integers(0, 2, n)
        s = np.where(right == 1, self.position, -self.position)
        tuning = np.exp(-0.5 * ((s[:, None] - self.preferred) / self.width) ** 2)
        rates = [self._rates(n, "stimulus", tuning), self._rates(n, "delay"), self._rates(n, "response")]
        counts = self._spikes(rng, rates)
        # log P(right) / P(left) = sum_i r_i (log f_i(+15) - log f_i(-15)) for Gaussian tuning
        r = self._counts(counts, "stimulus")
        log_ratio = r @ (2.0 * self.position * self.preferred) / self.width**2
        ideal = 1.0 / (1.0 + np.exp(-log_ratio))
        return TrialBatch(counts, self._targets(right[:, None]), right[:, None].astype(float),
                          ideal[:, None], right)


class Comparison(OrhanMaTask):
    """Comparison (COMP): was the first stimulus larger than the second?

    s1 ~ U[-40, 40] is shown during the stimulus and s2 ~ U[-40, 40] during the response
    period, both through Gaussian tuning curves (sd 10, centres linspace(-50, 50, units)).
    One sigmoid output must be 1 if s1 > s2 (cross-entropy). The ideal observer is
    Phi((mu1 - mu2) / sqrt(v1 + v2)), mu the centre of mass of each period's counts and
    v = sd^2 / (its total count).
    """

    metadata = {"paper": PAPER + ", COMP", "tags": ["comparison", "short-term memory"]}
    readout, loss, measure = "sigmoid", "cross_entropy", "information"
    outputs = ("first larger",)
    trial_types = ("first smaller", "first larger")
    width = 10.0
    sweep, dynamic_gain = (-50.0, 50.0), 0.1

    @property
    def preferred(self) -> np.ndarray:
        return np.linspace(-50.0, 50.0, self.units)

    def _tuning(self, s) -> np.ndarray:
        return np.exp(-0.5 * ((s[:, None] - self.preferred) / self.width) ** 2)

    def _draw(self, rng, n) -> TrialBatch:
        s1, s2 = 80.0 * rng.random(n) - 40.0, 80.0 * rng.random(n) - 40.0
        larger = (s1 > s2).astype(int)
        rates = [self._rates(n, "stimulus", self._tuning(s1)), self._rates(n, "delay"),
                 self._rates(n, "response", self._tuning(s2))]
        counts = self._spikes(rng, rates)
        first, second = self._counts(counts, "stimulus"), self._counts(counts, "response")
        with np.errstate(invalid="ignore", divide="ignore"):  # no spikes: NaN, left out
            mu1, mu2 = first @ self.preferred / first.sum(1), second @ self.preferred / second.sum(1)
            v = self.width**2 * (1.0 / first.sum(1) + 1.0 / second.sum(1))
            ideal = ndtr((mu1 - mu2) / np.sqrt(v))
        return TrialBatch(counts, self._targets(larger[:, None]), larger[:, None].astype(float),
                          ideal[:, None], larger)


class Sine(OrhanMaTask):
    """Sine: produce one cycle of a fixed waveform after a noisy delay (no stimulus).

    The inputs are silent except in the delay, where they carry 0.1 N(0, 1) noise (not
    spikes); over the response period the linear output must follow sin(0.25 phi_k),
    phi = linspace(0, pi, steps of the response period) (L1 loss). There is nothing to
    remember: the task tests timing. Performance: the mean absolute error over the response
    period relative to that of the best constant output (:func:`performance.sine_loss`).
    """

    metadata = {"paper": PAPER + ", Sine", "tags": ["timing"]}
    loss, measure = "l1", "sine"
    outputs = ("waveform",)
    alpha, noise = 0.25, 0.1

    def _draw(self, rng, n) -> TrialBatch:
        inputs = np.zeros((n, self.trial_steps, self._task_inputs), dtype=np.float32)
        delay = self.period("delay")
        inputs[:, delay] = self.noise * rng.standard_normal((n, delay.stop - delay.start, self._task_inputs))
        wave = np.sin(self.alpha * np.linspace(0.0, np.pi, self._duration("response")))
        targets = np.full((n, self.trial_steps, 1), np.nan)
        targets[:, self.period("response"), 0] = wave
        return TrialBatch(inputs, targets, np.tile(wave, (n, 1)), np.tile(wave, (n, 1)))


TASKS = {
    "de1": DelayedEstimation,
    "de2": DelayedEstimationTwo,
    "cd": ChangeDetection,
    "gde": GatedDelayedEstimation,
    "2afc": TwoAlternativeForcedChoice,
    "sine": Sine,
    "comp": Comparison,
}
"""The seven tasks by their command-line names."""
