"""Units of AuGMEnT: transient sensory units, regular and memory association units, Q units.

Sources: Rombouts J.O., Bohte S.M., Roelfsema P.R. (2015) PLoS Comput Biol 11(3):e1004060,
"Model"; Martinolli M., Gerstner W., Gilra A. (2018) Front. Comput. Neurosci. 12:50, "Methods".

One task step of AuGMEnT is ``SUBSTEPS`` simulator steps; every equation runs only in its own
sub-step, read from the clock as ``phase = t mod SUBSTEPS`` (dt = 1), so Python never sets a
gate between sub-steps (see :class:`networks.augment.AugmentNetwork` for the schedule).
Instantaneous sensory units and the bias unit are ``ann.InputArray`` populations.
"""

import ANNarchy as ann

SUBSTEPS = 5
SENSE, MEMORY, OUTPUT, LEARN, TAG = range(SUBSTEPS)  # the phases of one task step


def phase_is(k: int) -> str:
    """Condition of an equation that runs in phase ``k`` only."""
    return f"modulo(t, {SUBSTEPS}) == {k}"


class TransientUnit(ann.Neuron):
    """On (or off) transient unit: the rectified change of its input since the last task step.

    Input ``s = sum(inp)`` is ``x_i`` for an on unit and ``-x_i`` for an off unit, so one
    equation gives both kinds (phase SENSE)::

        graded:  x+_i = [x_i(t) - x_i(t-1)]+      x-_i = [x_i(t-1) - x_i(t)]+   (Rombouts)
        binary:  x+_i = 1[x_i(t) > x_i(t-1)]      x-_i = 1[x_i(t) < x_i(t-1)]  (Martinolli)
        xold <- s                                  (xold <- keep * xold otherwise)

    Runtime parameters (global): ``binary`` (1 for binary units, 0 for graded) and ``keep``
    (1; 0 for the one sub-step that resets x(t-1) to 0 at the end of a trial).
    """

    def __init__(self, binary=0.0):
        super().__init__(
            parameters=dict(
                binary=ann.Parameter(binary, locality="global"),
                keep=ann.Parameter(1.0, locality="global"),
            ),
            equations=[
                f"r = if {phase_is(SENSE)}: (1.0 - binary) * pos(sum(inp) - xold) "
                "+ binary * ite(sum(inp) > xold, 1.0, 0.0) else: r",
                f"xold = if {phase_is(SENSE)}: sum(inp) else: keep * xold",
            ],
            name="AuGMEnT transient unit",
            description="Rectified (graded) or thresholded (binary) change of one sensory "
            "input between task steps (Rombouts 2015, Martinolli 2018).",
        )


class RegularUnit(ann.Neuron):
    """Regular association unit j (phase SENSE), and its attention gate (phase TAG)::

        inp_j = sum_i v_ij x_i (+ bias)                  y_j = sigma(inp_j) = 1/(1+exp(theta-inp_j))
        g_j   = sigma'(inp_j) * w'_aj = y_j (1 - y_j) * sum(fb)

    ``sum(fb)`` is the feedback from the Q layer, ``sum_k w'_kj z_k``: the feedback weight from
    the chosen action a. ``g`` is the per-unit factor of the tags of the unit's input synapses.

    :param theta: offset of the sigmoid, 2.5 (Rombouts) or 0 (Martinolli).
    """

    def __init__(self, theta=2.5):
        super().__init__(
            parameters=dict(theta=ann.Parameter(theta, locality="global")),
            equations=[
                f"inp = if {phase_is(SENSE)}: sum(ff) else: inp",
                f"r = if {phase_is(SENSE)}: 1.0 / (1.0 + exp(theta - inp)) else: r",
                f"g = if {phase_is(TAG)}: r * (1.0 - r) * sum(fb) else: g",
            ],
            name="AuGMEnT regular unit",
            description="Sigmoidal association unit of the instantaneous inputs, with its "
            "attention-gated feedback factor (Rombouts 2015).",
        )


class MemoryUnit(ann.Neuron):
    """Memory association unit m: integrates its transient inputs once per task step::

        inp_m <- phi_m * inp_m + sum_l v_lm x'_l        (phase MEMORY)
        y_m    = sigma(inp_m)
        g_m    = y_m (1 - y_m) * sum(fb)                (phase TAG)
        inp_m <- keep * inp_m                           (other phases; keep = 0 resets)

    ``phi_m`` = 1 is standard AuGMEnT (Rombouts), 0.7 leaky control, a mix hybrid AuGMEnT
    (Martinolli).

    :param theta: offset of the sigmoid, 2.5 (Rombouts) or 0 (Martinolli).

    Runtime parameters: ``phi`` (local, the retention of each unit: 1 keeps the whole state) and ``keep`` (global, 1; 0 for
    the one sub-step that clears the memory at the end of a trial).
    """

    def __init__(self, theta=2.5):
        super().__init__(
            parameters=dict(
                theta=ann.Parameter(theta, locality="global"),
                phi=ann.Parameter(1.0, locality="local"),
                keep=ann.Parameter(1.0, locality="global"),
            ),
            equations=[
                f"inp = if {phase_is(MEMORY)}: phi * inp + sum(ff) else: keep * inp",
                f"r = if {phase_is(MEMORY)}: 1.0 / (1.0 + exp(theta - inp)) else: r",
                f"g = if {phase_is(TAG)}: r * (1.0 - r) * sum(fb) else: g",
            ],
            name="AuGMEnT memory unit",
            description="Sigmoidal unit integrating transient inputs with a per-unit leak phi "
            "(Rombouts 2015; leaky and hybrid: Martinolli 2018).",
        )


class QUnit(ann.Neuron):
    """Linear Q unit k (phase OUTPUT) and its action flag::

        q_k = sum_m w_mk y_m + sum_j w_jk y_j (+ bias)

    ``z`` (local runtime parameter) is 1 for the chosen action and 0 otherwise; it gates the
    tags of the unit's input synapses and selects the feedback weights (see
    :class:`synapses.augment.Feedback`).
    """

    def __init__(self):
        super().__init__(
            parameters=dict(z=ann.Parameter(0.0, locality="local")),
            equations=[f"r = if {phase_is(OUTPUT)}: sum(ff) else: r"],
            name="AuGMEnT Q unit",
            description="Linear action-value unit with the chosen-action flag z "
            "(Rombouts 2015).",
        )
