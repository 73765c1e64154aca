"""Node-perturbation eligibility-trace rule (Miconi 2017).

Source: Miconi T. (2017) eLife 6:e20899, Methods, "Learning rule".
"""

import ANNarchy as ann
import numpy as np


class NodePerturbation(ann.Synapse):
    """Reward-modulated Hebbian rule with a supralinear eligibility trace.

    Every step, in C++, the trace of synapse j -> i grows by ``(r_j(t-1) * dx_i(t))^3``, read
    from the neuron factors ``pre.r3prev`` and ``post.dx3`` of
    :class:`neurons.reservoir.ReservoirNeuron`; ``post.carry`` is 0 on the first step of a
    trial, so the trace restarts there without a reset from Python::

        trace = carry_i * trace + r3prev_j * dx3_i

    At the end of a trial with error E and running mean error Ebar (per trial type), the
    weights change once (:func:`weight_change`)::

        dw = clip(-eta * trace * Ebar * (E - Ebar), -max_dw, max_dw)

    The weight change is applied once per trial from Python on purpose: an ANNarchy equation
    for ``w`` would be evaluated at every step and for every synapse, which cost 2-3x the
    trace update itself on ANNarchy 5.0.4 (see benchmarks/dnms_throughput.py).

    This is the form to edit when trying another rule (``kernel="equations"`` of
    :class:`networks.reservoir.ReservoirConfig`); the default kernel computes the same rule
    in hand-written C++ (:mod:`synapses.node_perturbation_kernel`), several times faster.

    :param eta: learning rate (0.1 in Miconi's code, 0.5 in ANNarchy's notebook).
    :param max_dw: bound of the elementwise weight change per trial (3e-4 for DNMS).
    """

    def __init__(self, eta=0.1, max_dw=3e-4):
        super().__init__(
            parameters=learning_parameters(eta, max_dw),
            equations=["trace = post.carry * trace + pre.r3prev * post.dx3"],
            name="Node-perturbation trace",
            description="Eligibility trace of cubed pre-rate x post-fluctuation products, "
            "turned into a clipped weight change once per trial (Miconi 2017).",
        )


def learning_parameters(eta, max_dw) -> dict:
    """The rule's two global parameters, as both kernels declare them."""
    return dict(
        eta=ann.Parameter(eta, locality="global"),
        max_dw=ann.Parameter(max_dw, locality="global"),
    )


def weight_change(trace, error, mean_error, eta, max_dw):
    """Miconi's end-of-trial update ``clip(-eta * trace * Ebar * (E - Ebar), +/-max_dw)``."""
    return np.clip(-eta * mean_error * (error - mean_error) * trace, -max_dw, max_dw)
