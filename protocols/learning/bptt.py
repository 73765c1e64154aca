"""Backpropagation through time in the JAX twin, with optax: Orhan & Ma's (2019) training.

Source: Orhan & Ma (2019) Nat. Neurosci. 22:275-283, Methods; ``run_basic_expts.py`` of the
authors' code; shared/specs/orhan.md, "Model". The loss of a batch::

    L = task loss over the response period (the last 25 steps)
        + 1e-4 * mean(h^2 over the last 5 steps)  +  rho * sum of squares of all parameters

with the task loss mean(mod(|y - s|, pi)) (estimation), the binary cross-entropy of
y clipped to [1e-6, 1 - 1e-6] (binary tasks) or mean |y - s| (Sine). Adam (lr 5e-4, betas
0.9 and 0.999, eps 1e-8) on batches of 50 fresh trials; the gradient into each pre-activation
is clipped to +/-100 (:func:`networks.orhan_ma_twin.clip_gradient`). With ``gamma`` > 0 the
network has Hebbian fast weights (the paper's "model 1"), trained through by BPTT.

Many networks train as one computation: a grid of cells (lambda0, sigma0, seed) is one
``jax.vmap`` of the update over stacked parameters and optimiser states (on a GPU, when JAX
sees one, the whole grid runs there). The trials of a cell come from its seed alone (the
stream ``[seed, 1]``), so cells of one seed see the same trials and differ only by their
initial scales. Everything is seeded: the same cells and settings give the same weights, bit
for bit, on one machine. A checkpoint (every ``report_every`` updates) lets an interrupted
training resume where it stopped, with the same result as an uninterrupted one (or continue
a finished one to more updates).
"""

import dataclasses
import functools
import json
from collections import deque
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm import tqdm

from networks import orhan_ma_twin as twin
from networks.orhan_ma import initial_parameters
from protocols.learning import checkpoints

CLIP_PROBABILITY = 1e-6


@dataclasses.dataclass(frozen=True)
class Training:
    """The values of a BPTT training (the paper's by default)."""

    updates: int = 25_001
    batch: int = 50
    hidden: int = 500
    learning_rate: float = 5e-4
    activity_penalty: float = 1e-4
    penalty_steps: int = 5
    rho: float = 0.0
    clip: float = 100.0
    gamma: float = 0.0  # Hebbian fast weights (the paper's "model 1": 7e-4); 0 for the basic model
    report_every: int = 500
    stop_below: float | None = None  # early stop: the check fractional loss below this, twice running
    check_trials: int = 500

    def validate(self):
        """Raise ValueError with one clear sentence for an impossible value."""
        for name in ("updates", "batch", "hidden", "report_every", "check_trials", "penalty_steps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        for name in ("learning_rate", "clip"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}.")
        if self.rho < 0 or self.activity_penalty < 0 or self.gamma < 0:
            raise ValueError(f"rho, gamma and the activity penalty must be non-negative, got "
                             f"{self.rho}, {self.gamma}, {self.activity_penalty}.")
        return self


PRESETS = {"orhan2019": Training()}


def task_loss(kind, outputs, targets):
    """The task loss of ``outputs`` against ``targets`` (both over the response period)."""
    if kind == "mod_pi":
        return jnp.mean(jnp.mod(jnp.abs(outputs - targets), jnp.pi))
    if kind == "cross_entropy":
        p = jnp.clip(outputs, CLIP_PROBABILITY, 1.0 - CLIP_PROBABILITY)
        return -jnp.mean(targets * jnp.log(p) + (1.0 - targets) * jnp.log(1.0 - p))
    if kind == "l1":
        return jnp.mean(jnp.abs(outputs - targets))
    raise ValueError(f"unknown loss {kind!r}.")


def loss_function(task, training: Training):
    """``loss(params, inputs, targets, mask) -> (loss, outputs)`` of one network on a batch
    (``mask``: None, or False where variable-delay trials hold their state)."""
    sigmoid, window = task.readout == "sigmoid", task.period("response")

    def loss(params, inputs, targets, mask=None):
        hidden, outputs = twin.run(params, inputs, sigmoid=sigmoid, clip=training.clip, gamma=training.gamma, mask=mask)
        value = task_loss(task.loss, outputs[:, window], targets[:, window])
        value += training.activity_penalty * jnp.mean(hidden[:, -training.penalty_steps:] ** 2)
        if training.rho:
            value += training.rho * sum(jnp.sum(p**2) for p in jax.tree_util.tree_leaves(params))
        return value, outputs

    return loss


UPDATE_FIELDS = ("learning_rate", "activity_penalty", "penalty_steps", "rho", "clip", "gamma")
"""The fields of :class:`Training` that the update computes with."""


def _grid_update(task, training):
    """One update of every network of a grid, compiled once per task and loss (whatever the
    grid, the updates or the sizes); networks with ``active`` False stay as they are. A grid of
    one network (a ``--jobs`` worker's) is updated without ``vmap``, whose batch axis makes XLA
    copy the (steps x trials x N) gradient into the loop's layout: 1.1x per update on one core."""
    fields = tuple(getattr(training, name) for name in UPDATE_FIELDS)
    return _compiled_update(type(task), json.dumps(task.options(), sort_keys=True), fields)


@functools.lru_cache(maxsize=16)
def _compiled_update(task_class, task_options: str, fields: tuple):
    task = task_class(**json.loads(task_options))
    training = Training(**dict(zip(UPDATE_FIELDS, fields)))
    loss = loss_function(task, training)
    optimiser = _adam(training)

    def update(params, state, inputs, targets, mask, active):
        (value, outputs), grads = jax.value_and_grad(loss, has_aux=True)(params, inputs, targets, mask)
        changes, new_state = optimiser.update(grads, state, params)
        new_params = optax.apply_updates(params, changes)
        keep = lambda new, old: jnp.where(active, new, old)  # noqa: E731
        return (jax.tree_util.tree_map(keep, new_params, params),
                jax.tree_util.tree_map(keep, new_state, state), value, outputs)

    grid = jax.jit(jax.vmap(update))
    alone = jax.jit(lambda *args: _leading(update(*_leading(args, 0)), None))

    def either(params, state, inputs, targets, mask, active):
        return (alone if active.shape[0] == 1 else grid)(params, state, inputs, targets, mask, active)

    return either


def _leading(tree, index):
    """Each leaf of ``tree`` without its leading axis (``index`` 0) or with a new one (None)."""
    return jax.tree_util.tree_map(lambda leaf: leaf[index], tree)


def _adam(training):
    return optax.adam(training.learning_rate, b1=0.9, b2=0.999, eps=1e-8)


def _stack(trees):
    return jax.tree_util.tree_map(lambda *leaves: jnp.stack(leaves), *trees)


def _nan_free(targets):
    return np.nan_to_num(targets, nan=0.0).astype(np.float32)


class GridTraining:
    """BPTT of the networks ``cells`` (dicts with lambda0, sigma0, seed) on ``task``.

    :meth:`run` trains until ``training.updates`` (or every network has stopped early) and
    returns, per cell, the trained parameters (numpy), the training curve (rows every
    ``report_every`` updates: update, loss, fractional_loss (the mean over those updates of
    each batch's fractional loss), check_fractional_loss when early stopping is on), the
    updates done and whether it stopped early. ``checkpoint`` is a file path (npz).

    ``after`` continues the networks of an earlier training (its parameters and Adam state:
    the multitask condition, task A then task B); their trials then come from the stream
    ``[seed, 1, phase]`` with ``phase`` = 1, so that they differ from the first task's.
    """

    def __init__(self, task, cells, training: Training, checkpoint=None, after=None):
        self.task, self.cells, self.training = task, list(cells), training.validate()
        self.checkpoint = Path(checkpoint) if checkpoint else None
        self.optimiser = _adam(training)
        n_in, n_out = len(task.inputs), len(task.outputs)
        if after is None:
            params = [initial_parameters(n_in, n_out, c["seed"], c["lambda0"], c["sigma0"], training.hidden)
                      for c in self.cells]
            self.params = _stack(params)
            self.state = _stack([self.optimiser.init(p) for p in params])
        else:
            if after.cells != self.cells or (len(after.task.inputs), len(after.task.outputs)) != (n_in, n_out):
                raise ValueError("a training continues networks of the same cells, inputs and outputs.")
            self.params, self.state = after.params, after.state
        self.phase = 0 if after is None else after.phase + 1
        self.seeds = sorted({c["seed"] for c in self.cells})
        stream = (lambda seed: [seed, 1]) if self.phase == 0 else (lambda seed: [seed, 1, self.phase])
        self.streams = {seed: np.random.default_rng(stream(seed)) for seed in self.seeds}
        self.done = 0
        self.active = np.ones(len(self.cells), dtype=bool)
        self.below = np.zeros(len(self.cells), dtype=int)
        self.updates_done = np.zeros(len(self.cells), dtype=int)
        self.curves = [[] for _ in self.cells]
        self._update = _grid_update(task, training)
        self._checks = None
        if self.checkpoint is not None and self.checkpoint.exists():
            self._load()

    # -- the loop ------------------------------------------------------------------------

    def run(self, progress=True, description="BPTT") -> list:
        t = self.training
        window = deque(maxlen=t.report_every)
        bar = tqdm(total=t.updates, initial=self.done, desc=description, disable=not progress, unit="update")
        batches = None
        with bar:
            while self.done < t.updates and self.active.any():
                if batches is None:
                    batches = self._draw()
                inputs = jnp.asarray(np.stack([batches[c["seed"]].inputs for c in self.cells]))
                targets = jnp.asarray(np.stack([_nan_free(batches[c["seed"]].targets) for c in self.cells]))
                self.params, self.state, loss, outputs = self._update(
                    self.params, self.state, inputs, targets, self._masks(batches), jnp.asarray(self.active))
                # JAX computes the update asynchronously: the next batch is drawn meanwhile, and
                # a checkpoint keeps the streams as they were before it (``drawn``)
                drawn = self._stream_states()
                following = self._draw() if self.done + 1 < t.updates else None
                outputs, loss = np.asarray(outputs), np.asarray(loss)
                window.append([(loss[i], self.task.performance(batches[c["seed"]], outputs[i])["fractional_loss"])
                               for i, c in enumerate(self.cells)])
                self.updates_done += self.active
                self.done += 1
                bar.update()
                if self.done % t.report_every == 0 or self.done == t.updates:
                    self._report(np.asarray(window))
                    window.clear()
                    bar.set_postfix(loss=f"{np.median([c[-1]['loss'] for c in self.curves]):.4f}",
                                    frac_loss=f"{np.median([c[-1]['fractional_loss'] for c in self.curves]):.3f}")
                    self._save(drawn)
                batches = following
        return [
            {"params": jax.tree_util.tree_map(lambda leaf, i=i: np.asarray(leaf[i]), self.params),
             "curve": self.curves[i], "updates": int(self.updates_done[i]),
             "stopped_early": bool(not self.active[i])}
            for i in range(len(self.cells))
        ]

    def _draw(self) -> dict:
        """The next batch of each seed's stream."""
        return {seed: self.task.draw(self.streams[seed], self.training.batch) for seed in self.seeds}

    def _stream_states(self) -> dict:
        return {str(seed): rng.bit_generator.state for seed, rng in self.streams.items()}

    def _report(self, window):
        """A curve row per network (its means over the window); the early-stop check."""
        checks = self._check() if self.training.stop_below is not None else None
        for i, curve in enumerate(self.curves):
            if not self.active[i]:
                continue
            row = {"update": int(self.updates_done[i]), "loss": float(window[:, i, 0].mean()),
                   "fractional_loss": float(np.nanmean(window[:, i, 1]))}
            if checks is not None:
                row["check_fractional_loss"] = checks[i]
                self.below[i] = self.below[i] + 1 if checks[i] < self.training.stop_below else 0
            curve.append(row)
        self.active &= self.below < 2

    def _check(self) -> list:
        """The fractional loss of each network on fixed check trials (its stream [seed, 2])."""
        if self._checks is None:
            self._checks = {s: self.task.draw(np.random.default_rng([s, 2]), self.training.check_trials)
                            for s in self.seeds}
            sigmoid = self.task.readout == "sigmoid"
            t = self.training
            self._run = jax.jit(jax.vmap(lambda p, x, m: twin.run(p, x, sigmoid=sigmoid, clip=t.clip, gamma=t.gamma, mask=m)[1]))
        inputs = jnp.asarray(np.stack([self._checks[c["seed"]].inputs for c in self.cells]))
        outputs = np.asarray(self._run(self.params, inputs, self._masks(self._checks)))
        return [float(self.task.performance(self._checks[c["seed"]], outputs[i])["fractional_loss"])
                for i, c in enumerate(self.cells)]

    def _masks(self, batches):
        """The cells' masks of variable-delay trials, stacked (None for fixed delays)."""
        if next(iter(batches.values())).mask is None:
            return None
        return jnp.asarray(np.stack([batches[c["seed"]].mask for c in self.cells]))

    # -- checkpoints ---------------------------------------------------------------------

    def _identity(self) -> str:
        """What a checkpoint must match to be resumed: all but the number of updates (a
        training can be continued to more updates)."""
        training = {k: v for k, v in dataclasses.asdict(self.training).items() if k != "updates"}
        return json.dumps({"task": type(self.task).__name__, "options": self.task.options(), "phase": self.phase,
                           "cells": self.cells, "training": training}, sort_keys=True, default=str)

    def _save(self, streams):
        """A checkpoint with the trial streams ``streams`` (their states after the last batch
        trained on)."""
        if self.checkpoint is None:
            return
        checkpoints.save(self.checkpoint, self._identity(), self._saved(), done=self.done, curves=self.curves,
                         streams=streams)

    def _saved(self):
        return self.params, self.state, self.active, self.below, self.updates_done

    def _load(self):
        saved, meta = checkpoints.load(self.checkpoint, self._identity(), self._saved())
        params, state, self.active, self.below, self.updates_done = saved
        self.params, self.state = jax.tree_util.tree_map(jnp.asarray, (params, state))
        self.done, self.curves = meta["done"], meta["curves"]
        for seed, state in meta["streams"].items():
            self.streams[int(seed)].bit_generator.state = state
