"""The rate units of Orhan & Ma's (2019) recurrent networks.

Source: Orhan A.E., Ma W.J. (2019) Nature Neuroscience 22:275-283, Methods; the authors' code
(eminorhan/recurrent-memory, ``models.LeInitRecurrent``): a vanilla recurrent network with no
leak, one update per time step (dt = 1 step), no noise.
"""

import ANNarchy as ann


class ReluUnit(ann.Neuron):
    """Recurrent unit i, one update per step::

        h_i = relu(sum(in) + sum(rec) + b_i)

    ``sum(in)`` is the input projection U x, ``sum(rec)`` the recurrent projection W h.

    :param b: bias (trained by BPTT in the JAX twin; 0 at initialisation).
    """

    def __init__(self, b=0.0):
        super().__init__(
            parameters=dict(b=ann.Parameter(b, locality="local")),
            equations="r = pos(sum(in) + sum(rec) + b)",
            name="ReLU unit",
            description="Leak-free ReLU rate unit of Orhan & Ma (2019): h = relu(U x + W h + b).",
        )


class Readout(ann.Neuron):
    """Output unit k::

        y_k = g(sum(out) + c_k),  g = identity (estimation) or the logistic sigmoid (binary)

    :param c: bias.
    :param sigmoid: 1 for the sigmoid, 0 for the identity (a runtime switch: one build
        serves every task).
    """

    def __init__(self, c=0.0, sigmoid=0.0):
        super().__init__(
            parameters=dict(c=ann.Parameter(c, locality="local"), sigmoid=ann.Parameter(sigmoid, locality="global")),
            equations=[
                "x = sum(out) + c",
                "r = ite(sigmoid > 0.5, 1.0 / (1.0 + exp(-x)), x)",
            ],
            name="Readout unit",
            description="Linear or sigmoid readout of Orhan & Ma (2019): y = g(V h + c).",
        )


class HebbianReluUnit(ann.Neuron):
    """Recurrent unit i with Orhan & Ma's Hebbian fast weights ("model 1"), one update per step::

        u_i(t) = sum(in) + sum(rec) + b_i + gamma * clip(h(t-2) . h(t-1), 0, 100) * h_i(t-2)
        h_i(t) = relu(u_i(t))

    i.e. the recurrent weights W + gamma h(t-2) h(t-2)^T, rebuilt every step (no accumulation).
    The scalar product over the population is ANNarchy's global operation ``mean(prod)``
    times the population size ``n``: global operations are taken at the start of a step, when
    ``prod_j = h_j(t-1) h_j(t-2)`` (set at the end of the previous step) and ``last_j =
    h_j(t-2)``. Source: Orhan & Ma (2019), Methods; the authors'
    ``CustomRecurrentLayerWithFastWeights``.

    :param b: bias.
    :param gamma: fast-weight rate (7e-4, fixed, not trained).
    :param n: the population size (set by the network).
    """

    def __init__(self, b=0.0, gamma=7e-4, n=1.0):
        super().__init__(
            parameters=dict(b=ann.Parameter(b, locality="local"), gamma=ann.Parameter(gamma, locality="global"),
                            n=ann.Parameter(n, locality="global")),
            equations=[
                "fast = gamma * clip(n * mean(prod), 0.0, 100.0) * last",
                "last = r",
                "r = pos(sum(in) + sum(rec) + b + fast)",
                "prod = r * last",
            ],
            name="ReLU unit with Hebbian fast weights",
            description="Orhan & Ma (2019) model 1: h = relu(U x + (W + gamma h(t-2) h(t-2)^T) h + b), "
            "the scalar product clipped to [0, 100].",
        )
