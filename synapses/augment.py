"""AuGMEnT's attention-gated tags and TD-modulated weight updates (SARSA(lambda)).

Sources: Rombouts J.O., Bohte S.M., Roelfsema P.R. (2015) PLoS Comput Biol 11(3):e1004060,
"Learning"; Martinolli M., Gerstner W., Gilra A. (2018) Front. Comput. Neurosci. 12:50
(separate learned feedback weights, synaptic traces with the memory leak).

Every plastic synapse of AuGMEnT has a tag and changes once per task step::

    w   <- w + beta * delta * Tag                       (phase LEARN: tags of the last step)
    Tag <- keep * (lambda * gamma * Tag + increment)    (phase TAG)

with the TD error ``delta = r(t-1) + gamma * q_a(t) - q_a(t-1)`` as a global third factor.
The classes differ only in the increment. Runtime parameters (global, set by the network):
``beta``, ``lam``, ``gamma``, ``delta`` and ``keep`` (1; 0 for the sub-step that clears tags
and traces at the end of a trial).
"""

import ANNarchy as ann

from neurons.augment import LEARN, TAG, phase_is


class _Tagged(ann.Synapse):
    """A synapse with AuGMEnT's tag and weight update; ``increment`` is the tag's input."""

    def __init__(self, beta, lam, gamma, increment, before=(), psp=None, **text):
        super().__init__(
            parameters=dict(
                beta=ann.Parameter(beta, locality="global"),
                lam=ann.Parameter(lam, locality="global"),
                gamma=ann.Parameter(gamma, locality="global"),
                delta=ann.Parameter(0.0, locality="global"),
                keep=ann.Parameter(1.0, locality="global"),
            ),
            equations=[
                f"w = if {phase_is(LEARN)}: w + beta * delta * tag else: w",
                *before,
                f"tag = if {phase_is(TAG)}: keep * (lam * gamma * tag + {increment}) else: tag",
            ],
            psp=psp,
            **text,
        )


class InputTag(_Tagged):
    """Synapse i -> j from an instantaneous (or bias) unit to a regular unit::

        Tag_ij <- lambda gamma Tag_ij + x_i * sigma'(inp_j) * w'_aj     (x_i = pre.r, post.g)

    :param beta: learning rate, 0.15.
    :param lam: tag decay lambda, 0.20 (Rombouts) or 0.15 (Martinolli 12AX).
    :param gamma: discount factor, 0.9.
    """

    def __init__(self, beta=0.15, lam=0.2, gamma=0.9):
        super().__init__(
            beta, lam, gamma, "pre.r * post.g",
            name="AuGMEnT input tag",
            description="Attention-gated tag of an input -> regular unit synapse with a "
            "TD-modulated weight update (Rombouts 2015).",
        )


class MemoryTag(_Tagged):
    """Synapse l -> m from a transient unit to a memory unit, with a per-trial trace::

        sTrace_lm <- phi_m * sTrace_lm + x'_l                             (phase TAG, first)
        Tag_lm    <- lambda gamma Tag_lm + sTrace_lm * sigma'(inp_m) * w'_am

    ``phi_m`` is the memory unit's retention (``post.phi``, a local neuron parameter).

    :param beta: learning rate, 0.15.
    :param lam: tag decay lambda, 0.20 (Rombouts) or 0.15 (Martinolli 12AX).
    :param gamma: discount factor, 0.9.
    """

    def __init__(self, beta=0.15, lam=0.2, gamma=0.9):
        super().__init__(
            beta, lam, gamma, "trace * post.g",
            before=[f"trace = if {phase_is(TAG)}: keep * (post.phi * trace + pre.r) else: trace"],
            name="AuGMEnT memory tag",
            description="Synaptic trace of a transient -> memory synapse leaking like its "
            "memory unit, and its attention-gated tag (Rombouts 2015, Martinolli 2018).",
        )


class OutputTag(_Tagged):
    """Synapse j -> k from an association (or bias) unit to a Q unit::

        Tag_jk <- lambda gamma Tag_jk + y_j * z_k                       (y_j = pre.r, post.z)

    :param beta: learning rate, 0.15.
    :param lam: tag decay lambda, 0.20 (Rombouts) or 0.15 (Martinolli 12AX).
    :param gamma: discount factor, 0.9.
    """

    def __init__(self, beta=0.15, lam=0.2, gamma=0.9):
        super().__init__(
            beta, lam, gamma, "pre.r * post.z",
            name="AuGMEnT output tag",
            description="Tag of an association -> Q synapse, set by the chosen action "
            "(Rombouts 2015).",
        )


class Feedback(_Tagged):
    """Feedback synapse k -> j from a Q unit to an association unit; transmits only from the
    chosen action, so ``sum(fb)`` of unit j is ``w'_aj``::

        psp      = w'_kj * z_k
        Tag'_kj <- lambda gamma Tag'_kj + y_j * z_k       (the tag of the forward synapse j -> k)

    Started equal to the forward weights, it stays equal to them (Rombouts' exact symmetry);
    started apart, it is Martinolli's separate feedback learned with the same tags.

    :param beta: learning rate, 0.15.
    :param lam: tag decay lambda, 0.20 (Rombouts) or 0.15 (Martinolli 12AX).
    :param gamma: discount factor, 0.9.
    """

    def __init__(self, beta=0.15, lam=0.2, gamma=0.9):
        super().__init__(
            beta, lam, gamma, "post.r * pre.z",
            psp="w * pre.z",
            name="AuGMEnT feedback",
            description="Feedback weight from the chosen action to an association unit, "
            "learned with the forward synapse's tag (Rombouts 2015, Martinolli 2018).",
        )
