"""Delta rule (least mean squares), a local supervised rule for encoders and readouts.

Source: Widrow B., Hoff M. E. (1960) "Adaptive switching circuits", IRE WESCON Convention
Record 4:96-104. Used here in place of the backprop-through-time training of H-Mem's
encoders and output layer (Limbacher & Legenstein 2020; see protocols/image_association.py).
"""

import ANNarchy as ann


class DeltaRule(ann.Synapse):
    """Synapse j -> i trained towards the post-synaptic unit's target, one update per step::

        w_ij <- w_ij + eta * learn * (target_i - y_i) * x_j

    ``y_i = post.r`` is the post-synaptic unit's output and ``target_i = post.target`` its
    target, a variable of the post-synaptic neuron set from Python
    (:class:`neurons.delta_rule.LinearUnit`); ``x_j`` is the pre-synaptic variable named by
    ``pre_variable`` (``r`` by default), which is also what the synapse transmits
    (``psp = w * x_j``). With a linear unit ``y_i = sum_j w_ij x_j`` this is gradient descent
    on the squared error ``(target_i - y_i)^2 / 2``, using only quantities at the synapse
    (pre-synaptic activity) and at the post-synaptic unit (its error).

    ANNarchy computes ``y_i`` from the pre-synaptic values at the start of a step and updates
    the synapses after the neurons, with the pre-synaptic values at the end of the step: the
    update is the true LMS step when ``x_j`` does not change during the step (an input set from
    Python, or a value held for one more step).

    :param eta: learning rate (stable for ``eta < 2 / |x|^2``).
    :param pre_variable: the pre-synaptic variable that is transmitted and learned from.

    Runtime parameters (global, never recompiled): ``eta`` and ``learn``, the global gate of
    learning (1 on a step that learns, else 0).
    """

    def __init__(self, eta=0.01, pre_variable="r"):
        super().__init__(
            parameters=dict(
                eta=ann.Parameter(eta, locality="global"),
                learn=ann.Parameter(0.0, locality="global"),
            ),
            equations=[f"w = w + eta * learn * (post.target - post.r) * pre.{pre_variable}"],
            psp=f"w * pre.{pre_variable}",
            name="Delta rule",
            description="Least-mean-squares rule towards a post-synaptic target, gated by a "
            "global learning flag (Widrow & Hoff 1960).",
        )
