"""Leaky tanh rate unit with sparse exploratory perturbations (Miconi 2017).

Source: Miconi T. (2017) "Biologically plausible learning in recurrent neural networks
reproduces neural dynamics observed during cognitive tasks", eLife 6:e20899, Methods.
"""

import ANNarchy as ann


class ReservoirNeuron(ann.Neuron):
    """Reservoir unit of Miconi's node-perturbation network, one Euler step per ``dt``.

    Equations, in the order they run at every step::

        u      = U(0, 1)
        kick   = A * (2 u / p - 1)  if u < p = f * dt / 1000 (f in Hz), else 0
                 (no kick during the first ``perturb_start`` ms of a trial)
        x     <- x + dt * (sum(in) + sum(rec) - x + kick) / tau    (x <- clamp on bias units)
        r3prev = r^3                        (cube of the rate that drove this step)
        r      = tanh(x)
        dx     = x - x_mean
        x_mean = alpha * x_mean + (1 - alpha) * x
        dx3    = dx^3                       (0 during the first ``trace_start`` ms of a trial)
        carry  = 0 on the first step of a trial, else 1  (restarts the synaptic traces)

    ``r3prev`` and ``dx3`` are the two factors of Miconi's eligibility increment
    ``(r_j(t-1) * dx_i(t))^3 = r_j(t-1)^3 * dx_i(t)^3``, computed once per neuron instead of
    once per synapse (see :class:`synapses.node_perturbation.NodePerturbation`). Given
    ``u < p``, ``u / p`` is uniform on [0, 1), so one draw gives both the event and its
    amplitude ``U(-A, A)``.

    :param tau: membrane time constant (ms), 30 in the paper.
    :param f: rate of the exploratory perturbations (Hz), 3 in the paper.
    :param A: amplitude of a perturbation, drawn from U(-A, A); 16 for DNMS, 30 for
        selective integration.
    :param alpha: factor of the running mean of x, 0.05 (so x_mean follows x closely).

    Runtime parameters (set by the protocol, never recompiled): ``clamp`` (local; a non-zero
    value clamps x of a bias unit to it), ``trial_start`` (time of the current trial's first
    step, ms), ``perturb_start`` and ``trace_start`` (ms after trial start at which
    perturbations and the eligibility factor switch on; Miconi's code uses 4 and 3).
    """

    def __init__(self, tau=30.0, f=3.0, A=16.0, alpha=0.05):
        super().__init__(
            parameters=dict(
                tau=ann.Parameter(tau, locality="global"),
                f=ann.Parameter(f, locality="global"),
                A=ann.Parameter(A, locality="global"),
                alpha=ann.Parameter(alpha, locality="global"),
                clamp=ann.Parameter(0.0, locality="local"),
                trial_start=ann.Parameter(0.0, locality="global"),
                perturb_start=ann.Parameter(0.0, locality="global"),
                trace_start=ann.Parameter(0.0, locality="global"),
            ),
            equations=[
                "u = Uniform(0.0, 1.0)",
                "kick = if (t - trial_start >= perturb_start) and (u < f * dt / 1000.0): "
                "A * (2000.0 * u / (f * dt) - 1.0) else: 0.0",
                "x = if clamp != 0.0: clamp else: x + dt * (sum(in) + sum(rec) - x + kick) / tau",
                "r3prev = r * r * r",
                "r = tanh(x)",
                "dx = x - x_mean",
                "x_mean = alpha * x_mean + (1.0 - alpha) * x",
                "dx3 = if t - trial_start >= trace_start: dx * dx * dx else: 0.0",
                "carry = if t - trial_start < 0.5 * dt: 0.0 else: 1.0",
            ],
            name="Miconi reservoir neuron",
            description="Leaky tanh rate unit with 3 Hz exploratory perturbations and a "
            "running mean of x (Miconi 2017).",
        )
