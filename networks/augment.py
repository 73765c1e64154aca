"""AuGMEnT, leaky and hybrid AuGMEnT as an ANNarchy network.

Sources: Rombouts J.O., Bohte S.M., Roelfsema P.R. (2015) PLoS Comput Biol 11(3):e1004060;
Martinolli M., Gerstner W., Gilra A. (2018) Front. Comput. Neurosci. 12:50. Two presets,
"rombouts2015" and "martinolli2018" (12AX values); see shared/specs/augment.md.
"""

import dataclasses

import ANNarchy as ann
import numpy as np

from networks import presets
from neurons.augment import SUBSTEPS, MemoryUnit, QUnit, RegularUnit, TransientUnit
from synapses.augment import Feedback, InputTag, MemoryTag, OutputTag


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
    """All values of one AuGMEnT network.

    ``retention`` is phi, the fraction of its state a memory unit keeps from one step to
    the next: one value for all memory units or a list that splits them into equal blocks
    (1.0 standard, 0.7 leaky control, (0.7, 1.0) hybrid). ``transients`` is "graded"
    or "binary"; ``feedback`` is "symmetric" (feedback = forward weights) or "separate".
    ``eps`` is the exploration rate of the protocol's action selection.
    """

    n_regular: int = 3
    n_memory: int = 4
    n_actions: int = 3
    beta: float = 0.15
    lam: float = 0.2
    gamma: float = 0.9
    eps: float = 0.025
    theta: float = 2.5
    bias: bool = True
    init_range: float = 0.25
    retention: float | tuple = 1.0
    transients: str = "graded"
    feedback: str = "symmetric"

    def validate(self):
        """Raise ValueError with one clear sentence for an impossible value."""
        retention_per_unit(self.retention, self.n_memory)
        if self.transients not in ("graded", "binary"):
            raise ValueError(f"transients must be 'graded' or 'binary', got {self.transients!r}.")
        if self.feedback not in ("symmetric", "separate"):
            raise ValueError(
                f"feedback must be 'symmetric' or 'separate', got {self.feedback!r}."
            )
        return self


PRESETS = {
    "rombouts2015": AugmentConfig(),
    "martinolli2018": AugmentConfig(
        n_regular=10, n_memory=20, n_actions=2, lam=0.15, theta=0.0, bias=False,
        init_range=0.5, transients="binary", feedback="separate",
    ),
}


def preset(name: str, **overrides) -> AugmentConfig:
    """The named preset with some fields replaced, validated (:func:`networks.presets.select`)."""
    return presets.select(PRESETS, name, **overrides)


def retention_per_unit(retention, n_memory: int) -> np.ndarray:
    """phi of each memory unit: a scalar for all, or a list of values for equal blocks."""
    values = np.atleast_1d(np.asarray(retention, dtype=float))
    if values.ndim != 1 or len(values) == 0 or n_memory % len(values):
        raise ValueError(
            f"retention {retention!r} must be one value or a list whose length divides the "
            f"{n_memory} memory units."
        )
    return np.repeat(values, n_memory // len(values))


def draw_weights(config: AugmentConfig, n_inputs: int, rng: np.random.Generator) -> dict:
    """Initial weights U(-init_range, init_range), each a dense [post, pre] array.

    Keys: ``v_r`` (regular x inputs), ``v_r_bias`` (regular x 1), ``v_m`` (memory x 2 inputs:
    on units then off units), ``w_r`` (actions x regular), ``w_m`` (actions x memory),
    ``w_bias`` (actions x 1), ``fb_r`` (regular x actions), ``fb_m`` (memory x actions). With
    symmetric feedback ``fb_r = w_r.T`` and ``fb_m = w_m.T``.
    """
    c = config.init_range
    r, m, a = config.n_regular, config.n_memory, config.n_actions
    shapes = dict(v_r=(r, n_inputs), v_r_bias=(r, 1), v_m=(m, 2 * n_inputs), w_r=(a, r),
                  w_m=(a, m), w_bias=(a, 1), fb_r=(r, a), fb_m=(m, a))
    weights = {name: rng.uniform(-c, c, shape) for name, shape in shapes.items()}
    if config.feedback == "symmetric":
        weights["fb_r"] = weights["w_r"].T.copy()
        weights["fb_m"] = weights["w_m"].T.copy()
    return weights


def _on_off(pre, post, dt, n):
    """Input i drives on unit i with weight +1 and off unit n + i with weight -1."""
    lil = ann.LILConnectivity(dt=dt)
    for i in range(n):
        lil.add(i, [i], [1.0], [0])
    for i in range(n):
        lil.add(n + i, [i], [-1.0], [0])
    return lil


class AugmentNetwork(ann.Network):
    """Sensory (instantaneous + on/off transient) -> regular and memory units -> Q units,
    with attention-gated tags and feedback from the chosen action.

    One task step is ``SUBSTEPS`` = 5 simulator steps. ANNarchy evaluates a simulator step
    as: weighted sums from the rates at the start of the step, then neurons, then synapses;
    every equation runs in one phase only (``t mod 5``, see ``neurons.augment``)::

        phase  neurons                                    synapses
        0      transients from x(t), x(t-1); y^R          -
        1      memory integrates once: inp^M, y^M         -
        2      q                                          -
               (Python: a = choice(q); z = onehot(a); delta = r(t-1) + gamma q_a - q_old)
        3      -                                          w += beta delta Tag (old tags)
        4      g = sigma'(inp) * w'_a (updated w')        traces, then tags
        end    a cycle with delta = r - q_old and keep = 0 in phase 4: clears memory,
               traces and tags (and x(t-1) unless the input stream is continuous) after
               the last weight update

    Phase 4 reads the feedback ``sum(fb) = sum_k w'_kj z_k`` from the weights as updated in
    phase 3, as in both original codes. Python sets only the inputs, z, delta and keep; a
    step is two runs of the compiled library (3 + 2 sub-steps) around the action choice.
    A step talks to the compiled objects directly (the library's ``run(n)``, the C++
    populations' attributes, the projections' global setters): ``Network.simulate()`` adds
    20-300 us of Python bookkeeping per call (sanity checks, monitor memory estimates,
    callbacks; this network has no monitors or callbacks) and each ``Population`` or
    ``Projection`` attribute set 5-30 us, against about 1 us for the direct calls.

    :param n_inputs: instantaneous sensory units (2 * n_inputs transient units).
    :param config: an :class:`AugmentConfig`; only its three sizes shape the compiled code.
    :param weights: initial weights as from :func:`draw_weights`.
    """

    def __init__(self, n_inputs: int, config: AugmentConfig, weights: dict):
        self.settings = config.validate()
        self.n_inputs = n_inputs
        self.initial_weights = weights
        self.sensory = self.create(ann.InputArray(geometry=n_inputs))
        self.bias = self.create(ann.InputArray(geometry=1))
        self.transient = self.create(2 * n_inputs, TransientUnit())
        self.regular = self.create(config.n_regular, RegularUnit())
        self.memory = self.create(config.n_memory, MemoryUnit())
        self.q_units = self.create(config.n_actions, QUnit())
        self.connect(self.sensory, self.transient, "inp").from_function(_on_off, n=n_inputs)
        wiring = dict(
            v_r=(self.sensory, self.regular, "ff", InputTag),
            v_r_bias=(self.bias, self.regular, "ff", InputTag),
            v_m=(self.transient, self.memory, "ff", MemoryTag),
            w_r=(self.regular, self.q_units, "ff", OutputTag),
            w_m=(self.memory, self.q_units, "ff", OutputTag),
            w_bias=(self.bias, self.q_units, "ff", OutputTag),
            fb_r=(self.q_units, self.regular, "fb", Feedback),
            fb_m=(self.q_units, self.memory, "fb", Feedback),
        )
        self.plastic = {}
        for name, (pre, post, target, synapse) in wiring.items():
            proj = self.connect(pre, post, target, synapse())
            proj.all_to_all(weights=0.0, force_multiple_weights=True)
            self.plastic[name] = proj

    def on_compiled(self):
        """Set the runtime values (they only exist once the C++ objects do)."""
        if self.dt != 1.0:
            raise ValueError(f"AuGMEnT's phases need dt = 1, got {self.dt}.")
        c = self.settings
        self.bias.r = [1.0 if c.bias else 0.0]
        self.transient.binary = 1.0 if c.transients == "binary" else 0.0
        self.regular.theta = c.theta
        self.memory.theta = c.theta
        self.memory.phi = retention_per_unit(c.retention, c.n_memory)
        for name, proj in self.plastic.items():
            proj.beta, proj.lam, proj.gamma = c.beta, c.lam, c.gamma
            _set_matrix(proj, "w", self.initial_weights[name])
        self.q = np.zeros(c.n_actions)
        self._one_hot = np.eye(c.n_actions)
        self._input, self._q_core = self.sensory.cyInstance, self.q_units.cyInstance
        self._transient_core = self.transient.cyInstance
        self._memory_core = self.memory.cyInstance
        self._setters = [proj.cyInstance.set_global_attribute_double
                         for proj in self.plastic.values()]
        self.delta = 0.0
        self._q_old = None  # q_a of the last step of the open trial; None before its first
        self._open = False

    def start_trial(self):
        """Begin a trial (memory, traces and tags are clear: the last trial ended them)."""
        if self._open:
            raise RuntimeError("end_trial() must close the running trial before a new one.")
        if self.current_step % SUBSTEPS:
            raise RuntimeError(f"simulated time is not a multiple of {SUBSTEPS} sub-steps.")
        self._open = True
        self._q_old = None

    def step(self, x, action, reward=0.0, learn=True) -> int:
        """One task step on input ``x``; returns the chosen action a(t).

        ``action`` is an action index or a callable ``q -> index`` (the policy). ``reward``
        is r(t-1), the reward for the previous step's action (ignored on a trial's first
        step). ``self.q`` and ``self.delta`` hold this step's q values and TD error.
        ``learn=False`` gates this step's weight update off (the synapses see delta = 0);
        tags and traces still accumulate, so a trial stepped with ``learn=False`` and ended
        with ``end_trial(r)`` updates the weights once, with the tags of the whole trial.
        """
        if not self._open:
            raise RuntimeError("start_trial() must open a trial before step().")
        self._input.r = np.asarray(x, dtype=float)
        self._run(3)
        self.q = np.array(self._q_core.r)
        a = int(action(self.q) if callable(action) else action)
        if not 0 <= a < self.settings.n_actions:
            raise ValueError(f"action must be in [0, {self.settings.n_actions}), got {a}.")
        self._q_core.z = self._one_hot[a]
        q_a = self.q[a]
        first = self._q_old is None
        self._set_delta(0.0 if first else reward + self.settings.gamma * q_a - self._q_old, learn)
        self._run(2)
        self._q_old = q_a
        return a

    def end_trial(self, reward, learn=True, clear_input=True):
        """Last update with ``delta = reward - q_old`` (none if not ``learn``), then clear
        memory, traces and tags, and x(t-1) unless ``clear_input`` is False (a continuous
        stream of inputs: the next trial's first transients see this trial's last input)."""
        if not self._open:
            raise RuntimeError("start_trial() must open a trial before end_trial().")
        self._set_delta(0.0 if self._q_old is None else reward - self._q_old, learn)
        self._run(SUBSTEPS - 1)
        self._set_keep(0.0, clear_input)
        self._run(1)
        self._set_keep(1.0, True)
        self._open = False

    def _run(self, steps: int):
        """``steps`` simulator steps in the compiled library (what ``simulate`` ends in)."""
        self.instance.run(steps)

    def _set_delta(self, delta, learn=True):
        self.delta = float(delta)
        value = self.delta if learn else 0.0
        for setter in self._setters:
            setter("delta", value)

    def _set_keep(self, keep, inputs):
        """``keep`` for memory, traces and tags, and for x(t-1) if ``inputs``."""
        self._memory_core.keep = keep
        if inputs:
            self._transient_core.keep = keep
        for setter in self._setters:
            setter("keep", keep)

    def activities(self) -> dict:
        """Current unit values: transients, inp and y of regular and memory units, gates g."""
        return dict(
            transient=np.array(self.transient.r),
            inp_r=np.array(self.regular.inp), y_r=np.array(self.regular.r),
            g_r=np.array(self.regular.g),
            inp_m=np.array(self.memory.inp), y_m=np.array(self.memory.r),
            g_m=np.array(self.memory.g),
        )

    def weights(self) -> dict:
        """All plastic weights, dense [post, pre] arrays keyed as in :func:`draw_weights`."""
        return {name: _matrix(proj, "w") for name, proj in self.plastic.items()}

    def tags(self) -> dict:
        """All tags, dense [post, pre] arrays keyed like :meth:`weights`."""
        return {name: _matrix(proj, "tag") for name, proj in self.plastic.items()}

    def traces(self) -> np.ndarray:
        """The synaptic traces of the transient -> memory synapses, [memory, transient]."""
        return _matrix(self.plastic["v_m"], "trace")


def _matrix(proj, attribute) -> np.ndarray:
    """A synaptic variable of an all-to-all projection as a [post, pre] array."""
    out = np.zeros((proj.post.size, proj.pre.size))
    for post, pre, values in zip(proj.post_ranks, proj.pre_ranks, getattr(proj, attribute)):
        out[post, pre] = values
    return out


def _set_matrix(proj, attribute, matrix):
    """Set a synaptic variable of an all-to-all projection from a [post, pre] array."""
    matrix = np.asarray(matrix, dtype=float)
    setattr(proj, attribute, [matrix[post, pre].tolist()
                              for post, pre in zip(proj.post_ranks, proj.pre_ranks)])
