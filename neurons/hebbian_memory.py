"""Value / read-out unit of the Hebbian key-value memory (H-Mem).

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Hebbian memory" and "Memory-dependent memorization".
"""

import ANNarchy as ann


class KeyNeuron(ann.Neuron):
    """Key unit j of the memory, made by a key encoder: ``r = relu(sum(enc))``, H-Mem's
    ``k = relu(W_k s)``. Reading uses the same units: the memory returns ``M k``."""

    def __init__(self):
        super().__init__(
            equations=["r = pos(sum(enc))"],
            name="H-Mem key unit",
            description="Rectified key unit k = relu(W_k s) (Limbacher & Legenstein 2020).",
        )


class MemoryValueNeuron(ann.Neuron):
    """Post-synaptic unit i of the memory: reads ``M k`` and holds the value to be stored.

    Equations, evaluated every step::

        recall = sum(mem)                       v_hat_i = sum_j M_ij k_j
        r      = value - feedback * recall      u_i = v_i - feedback * v_hat_i

    ``recall`` is H-Mem's read, the plain weighted sum of the memory projection (no softmax):
    it uses the key rates present at the start of the step and the weights before this
    step's update. ``r`` is the value the synapses store in the same step.

    With ``feedback = 0`` the stored value is ``v`` (H-Mem's base model). With ``feedback = 1``
    it is read-before-write in a fixed form chosen here: the paper stores a learned function
    of ``[v ; v_h]``; this unit stores the part of ``v`` that the memory does not already
    return for the key, ``u = v - v_h``. Writing a stored pair again then changes the weights
    less, and writing a new value under an old key depresses the old value's synapses through
    the potentiation term. ``u`` may be negative; nothing is clipped.

    Runtime parameters (set from Python, never recompiled): ``value`` (local, v_i) and
    ``feedback`` (global, the read-before-write gain).

    With ``value_from`` (a projection target such as ``"enc"``) the value comes from a value
    encoder instead of Python: ``value = relu(sum(enc))``, H-Mem's ``v = relu(W_v s)``.
    """

    def __init__(self, feedback=0.0, value_from=None):
        parameters = dict(feedback=ann.Parameter(feedback, locality="global"))
        if value_from is None:
            parameters["value"] = ann.Parameter(0.0, locality="local")
            equations = []
        else:
            equations = [f"value = pos(sum({value_from}))"]
        super().__init__(
            parameters=parameters,
            equations=equations + ["recall = sum(mem)", "r = value - feedback * recall"],
            name="H-Mem value unit",
            description="Reads the Hebbian memory (recall = M k) and holds the value to store, "
            "v or v - M k with read-before-write (Limbacher & Legenstein 2020).",
        )
