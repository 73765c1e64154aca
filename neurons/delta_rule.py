"""Linear unit with a target: the post-synaptic side of the delta rule.

Source: Widrow B., Hoff M. E. (1960) "Adaptive switching circuits", IRE WESCON Convention
Record 4:96-104 (the adaline); see :class:`synapses.delta_rule.DeltaRule`.
"""

import ANNarchy as ann


class LinearUnit(ann.Neuron):
    """Output unit i of a layer trained by the delta rule, evaluated every step::

        r = sum(ff)                 y_i = sum_j w_ij x_j  (all projections with target ff)

    ``target`` (local, set from Python) is the value the incoming
    :class:`synapses.delta_rule.DeltaRule` synapses pull ``r`` towards when they learn.
    A constant input unit gives the layer a learned bias.
    """

    def __init__(self):
        super().__init__(
            parameters=dict(target=ann.Parameter(0.0, locality="local")),
            equations=["r = sum(ff)"],
            name="Linear unit with target",
            description="Linear rate unit r = sum(ff) with a target for the delta rule "
            "(Widrow & Hoff 1960).",
        )
