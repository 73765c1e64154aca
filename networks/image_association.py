"""Networks for H-Mem's single-shot image association task, learned by local rules only.

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Single-shot image association". The original trains every
encoder by backprop through time; here (shared/specs/hmem.md, "Biologically plausible
training") every learned weight follows the delta rule (:mod:`synapses.delta_rule`), the memory
follows H-Mem's Hebbian rule (:mod:`synapses.hebbian_memory`), and the rest is fixed random.

Both networks share the front end (:class:`Encoders`): a frame is an image and a digit, each
an ``InputArray`` set from Python once per step, plus a constant bias unit; three layers of
linear units learn from them by the delta rule: the image classes ``c_img`` (10), the digit
classes ``c_dig`` (10) and the write gate ``g`` (1 unit, target 1 on image-digit pairs and 0
on any other frame).

* :class:`HebbianImageNetwork` (the memory model):
  keys ``k = relu(P_k c_img)``, values ``v = relu(P_v c_dig)`` (fixed sparse positive random
  expansions into m units), the memory ``M`` (H-Mem's rule) written only on the steps after
  the gate said ``g > 1/2`` (the global third factor ``write``), read as ``M k``, and the answer
  ``a = W_a (M k) + b`` learned by the delta rule on the digit class of the stored episode.
* :class:`ReservoirImageNetwork` (the baseline, no Hebbian memory): the same encoder outputs
  ``[c_img; c_dig; g]`` drive a fixed random echo-state reservoir; the answer is learned by
  the delta rule from its final state.

How this differs from the paper, which trains everything but the memory by BPTT:

* the encoders are single linear layers trained by the delta rule on the class labels of
  the images and digits (supervision the paper never gives: its encoders learn from the
  answer alone, through the memory); keys and values are fixed random
  expansions of the class evidence, not learned projections;
* the write gate is a unit trained by the delta rule on frame types (pair or not), whose
  thresholded output sets the memory's global ``write`` flag; in the paper nothing gates the
  writes and the BPTT-trained encoders have to learn to write little for filler frames;
* the answer is a linear delta-rule readout of ``M k`` (the paper's output layer is trained
  by BPTT); encoders, gate and readout learn in two phases (encoders first, then the readout
  on task sequences), not end to end.

Every layer adds one step of latency (ANNarchy computes a step's weighted sums from the
previous step's rates): a frame shown at step s is classified at s, stored at s + 1 (keys and
values), read at s + 2 (``M k``) and answered at s + 3. The last frame (the query) is held for
:data:`HOLD` more steps, the last of which is the answer step.
"""

import ANNarchy as ann
import numpy as np

from networks.wiring import connect_all
from neurons.delta_rule import LinearUnit
from neurons.echo_state import EchoStateNeuron
from neurons.hebbian_memory import KeyNeuron, MemoryValueNeuron
from synapses.delta_rule import DeltaRule
from synapses.hebbian_memory import HebbianMemory

N_CLASSES = 10
HOLD = 3  # steps the query is held after it is shown; the last one answers


def _learning(projs, on):
    """Switch learning of delta-rule projections: the ``learn`` flag and ANNarchy's updates."""
    for proj in projs:
        proj.learn = float(on)
        if on:
            proj.enable_learning()
        else:
            proj.disable_learning()


def sparse_expansion(m, rng, density=0.1) -> np.ndarray:
    """A fixed random positive expansion (m x 10): each weight is 1 with probability
    ``density``, else 0; every class drives at least one unit."""
    weights = (rng.random((m, N_CLASSES)) < density).astype(float)
    for column in np.flatnonzero(weights.sum(axis=0) == 0):
        weights[rng.integers(m), column] = 1.0
    return weights


class Encoders(ann.Network):
    """Image, digit and bias inputs -> image classes, digit classes and the write gate, each
    a layer of :class:`neurons.delta_rule.LinearUnit` trained by the delta rule; subclasses
    add the memory (or reservoir) and the answer units (:meth:`_readout`).

    Synaptic updates of a projection run only while it learns (ANNarchy skips the equations
    of a projection whose learning is disabled); its ``learn`` flag is on exactly then.

    :param image_size: pixels of an image (784 for Fashion-MNIST).
    :param digit_size: pixels of a digit (64 for scikit-learn's digits).
    """

    def __init__(self, image_size, digit_size):
        self.image = self.create(ann.InputArray(geometry=image_size))
        self.digit = self.create(ann.InputArray(geometry=digit_size))
        self.bias = self.create(ann.InputArray(geometry=1))
        self.image_class = self.create(N_CLASSES, LinearUnit())
        self.digit_class = self.create(N_CLASSES, LinearUnit())
        self.gate = self.create(1, LinearUnit())
        self.learners = {
            "image_class": [connect_all(self, p, self.image_class, "ff", DeltaRule()) for p in (self.image, self.bias)],
            "digit_class": [connect_all(self, p, self.digit_class, "ff", DeltaRule()) for p in (self.digit, self.bias)],
            "gate": [connect_all(self, p, self.gate, "ff", DeltaRule()) for p in (self.image, self.digit, self.bias)],
        }

    def on_compiled(self):
        self.bias.r = np.ones(1)
        for projs in [*self.learners.values(), self.readout]:
            _learning(projs, False)

    def set_eta(self, layer, rate, mean_square_norms):
        """Normalised learning rates of the delta-rule projections onto ``layer`` (a key of
        ``learners``, or ``"readout"``): each projection gets ``rate`` over the mean squared
        norm of its input (one value per projection, in their order; 1 for the bias)."""
        projs = self.readout if layer == "readout" else self.learners[layer]
        for proj, norm in zip(projs, mean_square_norms, strict=True):
            proj.eta = rate / norm

    def train_frame(self, image, digit, image_class=None, digit_class=None, gate=0.0):
        """One step of encoder learning on a frame: the class layers learn where a label is
        given (one-hot targets), the gate always learns towards ``gate``."""
        labels = {"image_class": image_class, "digit_class": digit_class, "gate": gate}
        for layer, label in labels.items():
            if label is not None:
                target = np.array([label], float) if layer == "gate" else np.eye(N_CLASSES)[label]
                getattr(self, layer).target = target
                _learning(self.learners[layer], True)
        self.show(image, digit)
        for layer, label in labels.items():
            if label is not None:
                _learning(self.learners[layer], False)

    def encoder_state(self) -> dict:
        """The learned weights of every encoder projection, for :meth:`load_encoders`."""
        return {layer: [proj.connectivity_matrix() for proj in projs] for layer, projs in self.learners.items()}

    def load_encoders(self, state):
        """Give this network the encoders of another (same sizes): same frames, same classes."""
        for layer, projs in self.learners.items():
            for proj, weights in zip(projs, state[layer]):
                proj.w = weights

    def weights(self, layer) -> np.ndarray:
        """Learned weights onto ``layer`` as one [unit, inputs + bias] matrix (inputs in the
        order image, digit, bias), as the units apply them."""
        return np.hstack([proj.connectivity_matrix() for proj in self.learners[layer]])

    def show(self, image, digit):
        """Show one frame for one step (``None`` keeps a field as it is)."""
        if image is not None:
            self.image.r = image
        if digit is not None:
            self.digit.r = digit
        self._step()

    def _step(self):
        # ANNarchy's step() also reads /proc/meminfo to estimate what monitors will record;
        # these networks have none, and the check costs more than the step itself
        self.instance.step()

    def answer(self, label=None) -> np.ndarray:
        """Hold the last frame :data:`HOLD` steps and return the answer units' rates; with
        ``label``, the readout learns towards that one-hot class on the last step."""
        for _ in range(HOLD - 1):
            self.show(None, None)
        self._freeze(True)
        if label is not None:
            self.answer_units.target = np.eye(N_CLASSES)[label]
            _learning(self.readout, True)
        self._step()
        _learning(self.readout, False)
        self._freeze(False)
        return np.array(self.answer_units.r)

    def _freeze(self, on):
        """Keep the readout's input unchanged during the answer step (a true LMS step)."""

    def readout_weights(self) -> np.ndarray:
        """The answer units' weights as one [unit, readout input + bias] matrix."""
        return np.hstack([proj.connectivity_matrix() for proj in self.readout])

    def readout_input(self) -> np.ndarray:
        """What the answer units read now (``M k`` or the reservoir's rates)."""
        pre, variable = self.readout_source
        return np.array(getattr(pre, variable))

    def _readout(self, pre, pre_variable="r"):
        self.readout_source = (pre, pre_variable)
        self.answer_units = self.create(N_CLASSES, LinearUnit())
        self.readout = [
            connect_all(self, pre, self.answer_units, "ff", DeltaRule(pre_variable=pre_variable)),
            connect_all(self, self.bias, self.answer_units, "ff", DeltaRule()),
        ]


class HebbianImageNetwork(Encoders):
    """The encoders, H-Mem's memory between fixed key/value expansions, and a learned answer.

    :param key_weights: P_k, m x 10 (fixed), from image classes to keys.
    :param value_weights: P_v, m x 10 (fixed), from digit classes to values.
    :param gamma_pos, gamma_neg, w_max: H-Mem's rule (0.01, 0.01, 1 in the paper).

    A sequence starts with :meth:`start_sequence` (the memory is erased on the next step),
    then :meth:`show` per frame, then :meth:`answer`. After every step the gate unit's output
    decides the memory's ``write`` flag of the next step, the step in which that frame's key
    and value reach the memory.
    """

    def __init__(self, image_size, digit_size, key_weights, value_weights, gamma_pos=0.01,
                 gamma_neg=0.01, w_max=1.0):
        super().__init__(image_size, digit_size)
        m = key_weights.shape[0]
        self.rule = dict(gamma_pos=gamma_pos, gamma_neg=gamma_neg, w_max=w_max)
        self.keys = self.create(m, KeyNeuron())
        self.values = self.create(m, MemoryValueNeuron(value_from="enc"))
        self.key_proj = connect_all(self, self.image_class, self.keys, "enc")
        self.value_proj = connect_all(self, self.digit_class, self.values, "enc")
        self.expansions = (key_weights, value_weights)
        self.memory = connect_all(self, self.keys, self.values, "mem", HebbianMemory())
        self._readout(self.values, "recall")

    def on_compiled(self):
        super().on_compiled()
        self.key_proj.w = self.expansions[0]
        self.value_proj.w = self.expansions[1]
        for name, value in self.rule.items():
            setattr(self.memory, name, value)
        self.writes = 0  # steps in which the gate let the memory write
        self._set_memory(write=False, erase=False)

    def start_sequence(self):
        """Erase the memory during the next step."""
        self._set_memory(write=False, erase=True)

    def show(self, image, digit):
        super().show(image, digit)
        write = bool(self.gate.r[0] > 0.5)
        self.writes += write
        if self._erasing or write != self._writing:
            self._set_memory(write, erase=False)

    def _set_memory(self, write, erase):
        """The memory's write and erase flags; its equations run only when one is on (with
        both off the rule changes nothing, and ANNarchy skips it)."""
        self.memory.write, self.memory.erase = float(write), float(erase)
        self._writing, self._erasing = write, erase
        if write or erase:
            self.memory.enable_learning()
        else:
            self.memory.disable_learning()

    def memory_weights(self) -> np.ndarray:
        return self.memory.connectivity_matrix()


class ReservoirImageNetwork(Encoders):
    """The encoders, a fixed random echo-state reservoir driven by ``[c_img; c_dig; g]``, and
    an answer learned from the reservoir's final state.

    :param input_weights: N x 21 fixed input weights (image classes, digit classes, gate).
    :param recurrent_weights: N x N fixed recurrent weights.
    :param leak: leak rate of the units.

    During the answer step the units are frozen (leak 0), so the readout learns from the
    same state it answered from.
    """

    def __init__(self, image_size, digit_size, input_weights, recurrent_weights, leak=0.3):
        super().__init__(image_size, digit_size)
        self.leak = leak
        n = recurrent_weights.shape[0]
        self.units = self.create(n, EchoStateNeuron(leak=leak))
        sources = (self.image_class, self.digit_class, self.gate)
        self.input_projs = [connect_all(self, p, self.units, "in") for p in sources]
        self.rec = connect_all(self, self.units, self.units, "rec")
        self.fixed = (np.split(input_weights, [N_CLASSES, 2 * N_CLASSES], axis=1), recurrent_weights)
        self._readout(self.units)

    def on_compiled(self):
        super().on_compiled()
        for proj, weights in zip(self.input_projs, self.fixed[0]):
            proj.w = weights
        self.rec.w = self.fixed[1]

    def start_sequence(self):
        self.units.x = np.zeros(self.units.size)
        self.units.r = np.zeros(self.units.size)

    def _freeze(self, on):
        self.units.leak = 0.0 if on else self.leak


def reservoir_weights(n, rng, spectral_radius=0.9, input_scale=1.0):
    """Input weights U(-s, s) (n x 21) and recurrent weights N(0, rho^2 / n) (n x n), whose
    spectral radius is close to rho for large n (Jaeger 2001)."""
    w_in = rng.uniform(-input_scale, input_scale, (n, 2 * N_CLASSES + 1))
    w_rec = rng.normal(0.0, spectral_radius / np.sqrt(n), (n, n))
    return w_in, w_rec
