"""Orhan & Ma's (2019) recurrent ReLU network as an ANNarchy network, and its initial weights.

Source: Orhan A.E., Ma W.J. (2019) Nature Neuroscience 22:275-283; the authors' code
(eminorhan/recurrent-memory, ``models.LeInitRecurrent``, ``LeInit.py``); shared/specs/orhan.md.

The model, one update per time step::

    h_t = relu(W h_{t-1} + U x_t + b + b_rec),  h_{-1} = 0
    y_t = g(V h_t + c),  g = identity (estimation tasks) or sigmoid (binary tasks)

and with Hebbian fast weights (``gamma`` > 0) the pre-activation gains
gamma * clip(h_{t-2} . h_{t-1}, 0, 100) * h_{t-2} (:class:`neurons.orhan_ma.HebbianReluUnit`).

The weights are trained by BPTT in the JAX twin (:mod:`networks.orhan_ma_twin`) and loaded
here (:meth:`OrhanMaNetwork.load`); this network is the model of record that the analyses
run. Parameters are a dict of arrays: ``W`` (N x N, [post, pre]), ``U`` (N x inputs),
``b`` and ``b_rec`` (N), ``V`` (outputs x N), ``c`` (outputs). The hidden bias is
b + b_rec: the original has two (its input and recurrent layers are Lasagne ``DenseLayer``s,
each with a bias), both trained; with Adam their sum moves at twice a single bias's rate, and
the twin keeps both to train as the original does.
"""

import ANNarchy as ann
import numpy as np

from networks.wiring import connect_all
from neurons.orhan_ma import HebbianReluUnit, Readout, ReluUnit

GLOROT_GAIN = 0.95


def initial_parameters(n_inputs, n_outputs, seed, lambda0, sigma0, n_hidden=500) -> dict:
    """The initial weights of network ``seed`` (float32 arrays).

    W = lambda0 I + (sigma0 / sqrt(N)) Z with Z ~ N(0, 1) and a zero diagonal; U and V
    Glorot-normal with gain 0.95 (sd 0.95 sqrt(2 / (fan_in + fan_out))); biases 0. Z, U and V
    come from ``seed`` alone, so networks of one seed differ across (lambda0, sigma0) only by
    the two scales.
    """
    if n_hidden < 1 or n_inputs < 1 or n_outputs < 1:
        raise ValueError(f"sizes must be positive, got {n_inputs} inputs, {n_hidden} hidden, {n_outputs} outputs.")
    if sigma0 < 0:
        raise ValueError(f"sigma0 must be non-negative, got {sigma0}.")
    rng = np.random.default_rng([seed, 13])
    z = rng.standard_normal((n_hidden, n_hidden))
    np.fill_diagonal(z, 0.0)
    u = rng.standard_normal((n_hidden, n_inputs)) * GLOROT_GAIN * np.sqrt(2.0 / (n_inputs + n_hidden))
    v = rng.standard_normal((n_outputs, n_hidden)) * GLOROT_GAIN * np.sqrt(2.0 / (n_hidden + n_outputs))
    params = {
        "W": lambda0 * np.eye(n_hidden) + sigma0 / np.sqrt(n_hidden) * z,
        "U": u,
        "b": np.zeros(n_hidden),
        "b_rec": np.zeros(n_hidden),
        "V": v,
        "c": np.zeros(n_outputs),
    }
    return {name: value.astype(np.float32) for name, value in params.items()}


class OrhanMaNetwork(ann.Network):
    """Inputs (an ``InputArray`` set from Python each step) -> U -> hidden ReLU units with the
    recurrent projection W -> V -> readout.

    ANNarchy computes a step's weighted sums from the rates at the start of the step, so
    with ``x_t`` set before step t the hidden rates after step t are exactly h_t, and the
    readout after step t + 1 is y_t: a trial of T steps is played in T + 1 steps
    (:meth:`play`), the last with zero input, and the readout is shifted back by one.

    :param n_inputs: input units.
    :param n_hidden: recurrent units (500 in the paper).
    :param n_outputs: readout units.
    :param gamma: the rate of Hebbian fast weights (0: none, the basic model; else
        :class:`neurons.orhan_ma.HebbianReluUnit`, the paper's 7e-4; a runtime value).
    """

    def __init__(self, n_inputs, n_hidden=500, n_outputs=1, gamma=0.0):
        self.sizes, self.gamma = (n_inputs, n_hidden, n_outputs), gamma
        self.inputs = self.create(ann.InputArray(geometry=n_inputs))
        self.hidden = self.create(n_hidden, HebbianReluUnit(n=n_hidden) if gamma else ReluUnit())
        self.output = self.create(n_outputs, Readout())
        self.U = connect_all(self, self.inputs, self.hidden, "in")
        self.W = connect_all(self, self.hidden, self.hidden, "rec")
        self.V = connect_all(self, self.hidden, self.output, "out")
        self.recorders = (self.monitor(self.hidden, "r"), self.monitor(self.output, "r"))

    def on_compiled(self):
        if self.gamma:
            self.hidden.gamma = self.gamma
        for recorder in self.recorders:
            recorder.get("r")  # nothing recorded before the first trial counts

    def load(self, params: dict, sigmoid: bool):
        """Set the weights and biases (:func:`initial_parameters`' layout) and the readout."""
        n_inputs, n_hidden, n_outputs = self.sizes
        shapes = {"W": (n_hidden, n_hidden), "U": (n_hidden, n_inputs), "b": (n_hidden,),
                  "b_rec": (n_hidden,), "V": (n_outputs, n_hidden), "c": (n_outputs,)}
        for name, shape in shapes.items():
            if np.shape(params[name]) != shape:
                raise ValueError(f"{name} must have shape {shape}, got {np.shape(params[name])}.")
        self.W.w = np.asarray(params["W"], dtype=float)
        self.U.w = np.asarray(params["U"], dtype=float)
        self.V.w = np.asarray(params["V"], dtype=float)
        self.hidden.b = np.asarray(params["b"], dtype=float) + np.asarray(params["b_rec"], dtype=float)
        self.output.c = np.asarray(params["c"], dtype=float)
        self.output.sigmoid = 1.0 if sigmoid else 0.0

    def play(self, inputs) -> tuple:
        """One trial from h = 0: ``inputs`` (steps x inputs) -> (hidden activity, steps x N;
        outputs, steps x outputs)."""
        inputs = np.asarray(inputs, dtype=float)
        self.hidden.r = 0.0
        if self.gamma:
            self.hidden.last = 0.0
            self.hidden.prod = 0.0
        self.output.r = 0.0
        for x in inputs:
            self.inputs.r = x
            self.instance.step()
        self.inputs.r = 0.0
        self.instance.step()
        hidden, outputs = (recorder.get("r") for recorder in self.recorders)
        return np.asarray(hidden)[:-1], np.asarray(outputs)[1:]

    def play_batch(self, inputs) -> tuple:
        """Trials one after the other: ``inputs`` (trials x steps x inputs) -> (hidden,
        trials x steps x N; outputs, trials x steps x outputs)."""
        played = [self.play(x) for x in inputs]
        return np.stack([h for h, _ in played]), np.stack([y for _, y in played])
