"""H-Mem's Hebbian write rule with a soft bound and key-gated forgetting.

Source: Limbacher T., Legenstein R. (2020) "H-Mem: Harnessing synaptic plasticity with Hebbian
Memory Networks", NeurIPS 33, "Hebbian memory".
"""

import ANNarchy as ann


class HebbianMemory(ann.Synapse):
    """Synapse j -> i (key unit j, value unit i) of the memory matrix M, one update per step::

        M_ij <- 0                                              if erase = 1
        M_ij <- M_ij + write * (gamma_pos * (w_max - M_ij) * k_j * u_i
                                - gamma_neg * M_ij * k_j^2)    otherwise

    ``k_j`` is the key unit's rate and ``u_i`` the value unit's rate of the same step (the
    synapses update after the neurons). Potentiation is soft-bounded by ``w_max``; forgetting
    hits only synapses whose key unit is active, so re-using a key overwrites its old value.
    No clipping, no global decay. The transmission is the default ``w * pre.r``, so the
    post-synaptic sum is H-Mem's read ``M k``.

    :param gamma_pos: potentiation rate, 0.01 in the paper.
    :param gamma_neg: forgetting rate, 0.01 in the paper.
    :param w_max: soft upper bound of a weight, 1 in the paper.

    Runtime parameters (global, never recompiled): ``write`` (1 on a write step, else 0) and
    ``erase`` (1 for the one step that empties the memory at the start of an episode; this
    costs one step in C++ instead of setting m * m weights from Python).
    """

    def __init__(self, gamma_pos=0.01, gamma_neg=0.01, w_max=1.0):
        super().__init__(
            parameters=dict(
                gamma_pos=ann.Parameter(gamma_pos, locality="global"),
                gamma_neg=ann.Parameter(gamma_neg, locality="global"),
                w_max=ann.Parameter(w_max, locality="global"),
                write=ann.Parameter(0.0, locality="global"),
                erase=ann.Parameter(0.0, locality="global"),
            ),
            equations=[
                "w = if erase > 0.5: 0.0 else: w + write * (gamma_pos * (w_max - w) * pre.r "
                "* post.r - gamma_neg * w * pre.r * pre.r)"
            ],
            name="H-Mem Hebbian memory",
            description="Gated Hebbian key-value write with a soft bound and forgetting on "
            "active keys (Limbacher & Legenstein 2020).",
        )
