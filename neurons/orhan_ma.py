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
