"""H-Mem's Hebbian key-value memory as an ANNarchy network (Limbacher & Legenstein 2020).

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33. Only the memory is here; the encoders that make keys and values
from inputs come with the protocol.
"""

import ANNarchy as ann
import numpy as np

from neurons.hebbian_memory import MemoryValueNeuron
from synapses.hebbian_memory import HebbianMemory


class HebbianMemoryNetwork(ann.Network):
    """Keys K (m input units) -> all-to-all plastic projection M -> values V (m units).

    Every operation is one simulator step. ANNarchy evaluates a step as: weighted sums from
    the rates at the start of the step, then neurons, then synapses. The key rates are set
    from Python before the step (K is an ``InputArray``), so within the step

    * V's weighted sum reads ``M k`` with the weights before this step's update,
    * V's rate becomes the value to store, ``u = v - feedback * M k``,
    * the synapses write ``(k, u)`` when the write gate is 1.

    Hence :meth:`write` and :meth:`read` take one step each, and a write with
    read-before-write needs no extra step: its read is the same step's weighted sum.
    :meth:`erase` empties the memory in one step through the synapses' ``erase`` flag.

    :param m: units of the key and of the value population (200 in the paper).
    :param gamma_pos: potentiation rate (0.01).
    :param gamma_neg: forgetting rate (0.01).
    :param w_max: soft bound of a weight (1).
    :param read_before_write: store ``v - M k`` instead of ``v``
        (see :class:`neurons.hebbian_memory.MemoryValueNeuron`).

    All but ``m`` are runtime values: changing them never recompiles.
    """

    def __init__(self, m=200, gamma_pos=0.01, gamma_neg=0.01, w_max=1.0, read_before_write=False):
        self.m = m
        self.rule = dict(gamma_pos=gamma_pos, gamma_neg=gamma_neg, w_max=w_max)
        self.read_before_write = read_before_write
        self.keys = self.create(ann.InputArray(geometry=m))
        self.values = self.create(m, MemoryValueNeuron())
        self.memory = self.connect(self.keys, self.values, "mem", HebbianMemory())
        self.memory.all_to_all(weights=0.0, force_multiple_weights=True, storage_format="dense")

    def on_compiled(self):
        """Set the rule's values (they only exist once the C++ objects do)."""
        for name, value in self.rule.items():
            setattr(self.memory, name, value)
        self.values.feedback = 1.0 if self.read_before_write else 0.0

    def erase(self):
        """Empty the memory (all weights 0) and clear key and value: one step."""
        self.memory.write = 0.0
        self.memory.erase = 1.0
        self.keys.r = np.zeros(self.m)
        self.values.value = np.zeros(self.m)
        self.step()
        self.memory.erase = 0.0

    def write(self, key, value):
        """Store ``value`` under ``key`` (non-negative vectors of length m): one step."""
        self.keys.r = self._vector(key, "key")
        self.values.value = self._vector(value, "value")
        self.memory.write = 1.0
        self.step()
        self.memory.write = 0.0

    def read(self, key) -> np.ndarray:
        """H-Mem's read ``M k`` for ``key``, without changing the memory: one step."""
        self.keys.r = self._vector(key, "key")
        self.step()
        return np.array(self.values.recall)

    def weights(self) -> np.ndarray:
        """The memory matrix M as a dense [value unit, key unit] array."""
        return self.memory.connectivity_matrix()

    def _vector(self, x, name):
        x = np.asarray(x, dtype=float)
        if x.shape != (self.m,):
            raise ValueError(
                f"the {name} must be a vector of length {self.m}, got shape {x.shape}."
            )
        return x
