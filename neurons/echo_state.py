"""Leaky tanh unit of an echo-state reservoir.

Source: Jaeger H. (2001) "The 'echo state' approach to analysing and training recurrent neural
networks", GMD Report 148; leaky integration as in Jaeger H., Lukosevicius M., Popovici D.,
Siewert U. (2007) Neural Networks 20:335-352.
"""

import ANNarchy as ann


class EchoStateNeuron(ann.Neuron):
    """Reservoir unit i, one update per step::

        x <- (1 - leak) * x + leak * (sum(in) + sum(rec))
        r  = tanh(x)

    The input and recurrent weights are fixed random; only a readout learns.

    :param leak: leak rate in (0, 1] (1: no memory in the unit itself).
    """

    def __init__(self, leak=0.5):
        super().__init__(
            parameters=dict(leak=ann.Parameter(leak, locality="global")),
            equations=[
                "x = (1.0 - leak) * x + leak * (sum(in) + sum(rec))",
                "r = tanh(x)",
            ],
            name="Echo-state unit",
            description="Leaky tanh unit of a fixed random reservoir (Jaeger 2001).",
        )
