"""Miconi's (2017) reward-modulated recurrent reservoir as an ANNarchy network.

Source: Miconi T. (2017) eLife 6:e20899; ANNarchy's notebook of it (shared/seeds/003_*).
Two presets: "miconi2017" (values of Miconi's own code) and "notebook" (ANNarchy's notebook,
with its AB-reward bug fixed; the bug lives in the protocol, not here).
"""

import dataclasses
import itertools

import ANNarchy as ann
import numpy as np

from networks import presets
from neurons.reservoir import ReservoirNeuron
from synapses.node_perturbation import NodePerturbation, weight_change
from synapses.node_perturbation_kernel import NodePerturbationProjection

KERNELS = ("factored", "equations")


@dataclasses.dataclass(frozen=True)
class ReservoirConfig:
    """All values of one reservoir run; ``density`` is the connection probability p (the
    fraction of possible recurrent synapses that exist)."""

    n_neurons: int = 200
    g: float = 1.5
    density: float = 1.0
    self_connections: bool = True
    eta: float = 0.1
    max_dw: float = 3e-4
    tau: float = 30.0
    f: float = 3.0
    A: float = 16.0
    alpha: float = 0.05
    output: int = 0
    output_gets_input: bool = False
    bias_units: tuple = ((1, 1.0), (10, 1.0), (11, -1.0))
    trace_start: int = 3
    perturb_start: int = 4
    initial_mean_error: float = 0.0
    learning_start: int = 100
    error_decay: float = 0.75
    kernel: str = "factored"

    def validate(self):
        """Raise ValueError with one clear sentence for an impossible value."""
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS}, got {self.kernel!r}.")
        if not 0.0 < self.density <= 1.0:
            raise ValueError(f"density must be in (0, 1], got {self.density}.")
        if self.n_neurons < 2:
            raise ValueError(f"n_neurons must be at least 2, got {self.n_neurons}.")
        ranks = [rank for rank, _ in self.bias_units] + [self.output]
        if any(not 0 <= rank < self.n_neurons for rank in ranks):
            raise ValueError(
                f"output and bias units must be ranks in [0, {self.n_neurons}), got {ranks}."
            )
        if self.output in dict(self.bias_units):
            raise ValueError(f"the output unit {self.output} cannot be a bias unit.")
        return self


PRESETS = {
    "miconi2017": ReservoirConfig(),
    "notebook": ReservoirConfig(
        density=0.1,
        self_connections=False,
        eta=0.5,
        output=100,
        output_gets_input=True,
        bias_units=((0, 1.0), (1, 1.0), (2, -1.0)),
        trace_start=0,
        perturb_start=0,
        initial_mean_error=1.0,
        learning_start=104,
    ),
}


def preset(name: str, **overrides) -> ReservoirConfig:
    """The named preset with some fields replaced, validated (:func:`networks.presets.select`)."""
    return presets.select(PRESETS, name, **overrides)


def draw_weights(config: ReservoirConfig, n_inputs: int, rng: np.random.Generator):
    """Input weights U(-1, 1) and recurrent weights N(0, g^2 / (p N)) on a random mask.

    Returns ``(w_in, w_rec)``, arrays of shape (N, n_inputs) and (N, N) indexed [post, pre],
    with NaN where no synapse exists.
    """
    n = config.n_neurons
    w_in = rng.uniform(-1.0, 1.0, (n, n_inputs))
    if not config.output_gets_input:
        w_in[config.output] = np.nan
    mask = rng.random((n, n)) < config.density
    if not config.self_connections:
        np.fill_diagonal(mask, False)
    scale = config.g / np.sqrt(config.density * n)
    w_rec = np.where(mask, rng.normal(0.0, scale, (n, n)), np.nan)
    return w_in, w_rec


def _from_dense(pre, post, dt, weights):
    """LIL connectivity from a [post, pre] matrix with NaN for absent synapses."""
    lil = ann.LILConnectivity(dt=dt)
    for rank in range(weights.shape[0]):
        (pre_ranks,) = np.nonzero(~np.isnan(weights[rank]))
        if len(pre_ranks):
            lil.add(rank, pre_ranks.tolist(), weights[rank, pre_ranks].tolist(), [0])
    return lil


def _flat(rows, size) -> np.ndarray:
    """A list of per-dendrite lists (ANNarchy's format) as one flat array."""
    return np.fromiter(itertools.chain.from_iterable(rows), float, count=size)


class ReservoirNetwork(ann.Network):
    """Inputs (a TimedArray that plays one trial) -> N reservoir units with plastic recurrence.

    The recurrent projection is stored in CSR format whatever its density, so that the
    connection probability never changes the generated code. Its learning rule runs as the
    C++ kernel of :mod:`synapses.node_perturbation_kernel` (``config.kernel == "factored"``)
    or as the ANNarchy equation of :class:`synapses.node_perturbation.NodePerturbation`
    (``"equations"``); the two compute the same trace and weight change. Monitors record
    the output unit's rate, or every unit's. A trial is ``trial_steps`` steps; the input array of a trial reaches the
    reservoir one step late (row k drives step k + 1; row 0 also drives step 0). A trial
    starts with :meth:`start_trial`, which also restarts the eligibility traces.

    :param w_in: input weights [post, input], NaN where absent (fixed).
    :param w_rec: recurrent weights [post, pre], NaN where absent (plastic).
    :param config: a :class:`ReservoirConfig` (neuron and learning values).
    :param trial_steps: steps of one trial (the TimedArray's period).
    """

    def __init__(self, w_in, w_rec, config: ReservoirConfig, trial_steps: int):
        n, n_inputs = w_in.shape
        self.settings = config
        self.trial_steps = trial_steps
        self.inputs = self.create(
            ann.TimedArray(rates=np.zeros((trial_steps, n_inputs)), period=float(trial_steps))
        )
        self.units = self.create(
            n, ReservoirNeuron(tau=config.tau, f=config.f, A=config.A, alpha=config.alpha)
        )
        self.input_proj = self.connect(self.inputs, self.units, "in")
        self.input_proj.from_function(_from_dense, weights=w_in)
        if config.kernel == "factored":
            self.rec = NodePerturbationProjection(
                self.units, self.units, "rec", config.eta, config.max_dw, net_id=self.id
            )
        else:
            self.rec = self.connect(
                self.units, self.units, "rec", NodePerturbation(config.eta, config.max_dw)
            )
        self.rec.from_function(_from_dense, weights=w_rec, storage_format="csr")
        # records only inside run_trial: the recorders of all networks built from one library
        # run at every step of any of them, so an idle network must not record
        self.output_monitor = self.monitor(
            self.units[config.output : config.output + 1], "r", start=False
        )
        self.rate_monitor = self.monitor(self.units, "r", start=False)
        self._clamp = np.zeros(n)
        for rank, value in config.bias_units:
            self._clamp[rank] = value

    def on_compiled(self):
        """Set the values that only exist once the C++ objects do."""
        self.units.clamp = self._clamp
        self.units.trace_start = float(self.settings.trace_start)
        self.units.perturb_start = float(self.settings.perturb_start)
        self._row_ends = np.cumsum(self.rec.nb_synapses_per_dendrite)[:-1]
        self._schedule = None

    def start_trial(self, x0):
        """Reset the units to ``x0`` (bias units stay clamped); restart the trial clock."""
        x = np.where(self._clamp != 0.0, self._clamp, x0)
        self.units.x = x
        self.units.r = np.tanh(x)
        self.units.trial_start = self.time

    def run_trial(self, inputs, record_from=0, every_unit=False) -> np.ndarray:
        """Play ``inputs`` (trial_steps x n_inputs); return the output unit's rate per step
        (with ``every_unit``, the rate of every unit: steps x N).

        Steps before ``record_from`` are not recorded (NaN in the result).
        """
        if self.current_step % self.trial_steps:
            raise RuntimeError("a trial must start on a multiple of trial_steps.")
        self._play(np.asarray(inputs, dtype=float))
        monitor = self.rate_monitor if every_unit else self.output_monitor
        rates = np.full((self.trial_steps, self.settings.n_neurons if every_unit else 1), np.nan)
        if record_from:
            self.simulate(record_from)
        monitor.resume()
        self.simulate(self.trial_steps - record_from)
        monitor.pause()
        rates[record_from:] = monitor.get("r")
        return rates if every_unit else rates[:, 0]

    def _play(self, inputs):
        """Give the TimedArray only the rows where the input changes, with their schedule."""
        changes = np.flatnonzero(np.any(inputs[1:] != inputs[:-1], axis=1)) + 1
        starts = np.concatenate(([0], changes))
        if not np.array_equal(starts, self._schedule):
            self.inputs.schedule = (starts * self.dt).tolist()
            self._schedule = starts
        self.inputs.rates = inputs[starts]

    def learn(self, error, mean_error):
        """Apply Miconi's end-of-trial weight change from the trace of the trial just run."""
        if self.settings.kernel == "factored":
            self.rec.cyInstance.end_trial(float(error), float(mean_error))
            return
        trace = _flat(self.rec.trace, self.rec.nb_synapses)
        w = _flat(self.rec.w, self.rec.nb_synapses)
        w += weight_change(trace, error, mean_error, self.rec.eta, self.rec.max_dw)
        self.rec.w = [row.tolist() for row in np.split(w, self._row_ends)]

    def perturbations(self, on: bool):
        """Switch the exploratory perturbations on (amplitude A) or off (amplitude 0)."""
        self.units.A = self.settings.A if on else 0.0

    def recurrent_weights(self) -> np.ndarray:
        """The recurrent weights as a dense [post, pre] matrix, NaN where no synapse exists."""
        return self._matrix(self.rec.w)

    def eligibility_trace(self) -> np.ndarray:
        """The eligibility trace of the trial run so far, [post, pre], NaN where no synapse."""
        if self.settings.kernel == "factored":
            self.rec.cyInstance.flush()
        return self._matrix(self.rec.trace)

    def _matrix(self, rows) -> np.ndarray:
        n = self.settings.n_neurons
        dense = np.full((n, n), np.nan)
        for post, pre, values in zip(self.rec.post_ranks, self.rec.pre_ranks, rows):
            dense[post, pre] = values
        return dense

    def set_recurrent_weights(self, dense):
        """Load a [post, pre] matrix as saved by :meth:`recurrent_weights` (same synapses)."""
        dense = np.asarray(dense, dtype=float)
        rows = [dense[post, pre] for post, pre in zip(self.rec.post_ranks, self.rec.pre_ranks)]
        if np.isnan(dense).sum() != dense.size - self.rec.nb_synapses or any(
            np.isnan(row).any() for row in rows
        ):
            raise ValueError("the weights do not have this network's connectivity.")
        self.rec.w = [row.tolist() for row in rows]
