"""Value / read-out unit of the Hebbian key-value memory (H-Mem).

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Hebbian memory" and "Memory-dependent memorization".
"""

import ANNarchy as ann


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
    """

    def __init__(self, feedback=0.0):
        super().__init__(
            parameters=dict(
                value=ann.Parameter(0.0, locality="local"),
                feedback=ann.Parameter(feedback, locality="global"),
            ),
            equations=["recall = sum(mem)", "r = value - feedback * recall"],
            name="H-Mem value unit",
            description="Reads the Hebbian memory (recall = M k) and holds the value to store, "
            "v or v - M k with read-before-write (Limbacher & Legenstein 2020).",
        )
