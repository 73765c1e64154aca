"""H-Mem trained end to end on a bAbI task by backpropagation through time (the JAX twin,
optax), and the trained model answering through the ANNarchy memory.

Source: Limbacher & Legenstein (2020) H-Mem, NeurIPS 33; shared/specs/babi.md, "H-Mem on
bAbI". Softmax cross-entropy of the answer plus the L2 penalty 1e-3 on the key, value and read
layers; Adam (lr 0.003; Keras' betas 0.9, 0.999 and epsilon 1e-7) with each gradient tensor's
norm clipped to 20 (Keras' ``clipnorm``, per tensor); batches of 128 shuffled training samples;
100 epochs with the learning rate times 0.85 every 20 epochs (250 epochs with read-before-
write). Everything is seeded: the initial weights from ``[seed, 7]``, the order of each epoch
from ``[seed, 3, epoch]``.
"""

import dataclasses
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm import tqdm

from networks import cache
from networks import hebbian_memory_twin as twin
from networks.hebbian_memory import HebbianMemoryNetwork


@dataclasses.dataclass(frozen=True)
class Training:
    """The values of one training (the paper's by default)."""

    epochs: int = 100
    batch: int = 128
    learning_rate: float = 0.003
    decay: float = 0.85
    decay_every: int = 20
    clip_norm: float = 20.0
    l2: float = 1e-3
    read_before_write: bool = False
    memory: int = twin.MEMORY
    embedding: int = twin.EMBEDDING

    def validate(self):
        for name in ("epochs", "batch", "decay_every", "memory", "embedding"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        if not (self.learning_rate > 0 and 0 < self.decay <= 1 and self.clip_norm > 0 and self.l2 >= 0):
            raise ValueError("the learning rate and clip norm must be positive, the decay in (0, 1], l2 >= 0.")
        return self


PRESETS = {"limbacher2020": Training(), "limbacher2020-rbw": Training(epochs=250, read_before_write=True)}


def _clip_each_tensor(limit):
    """Keras' ``clipnorm``: every gradient tensor g becomes g * limit / max(|g|, limit)."""
    def clip(updates, params=None):
        return jax.tree_util.tree_map(lambda g: g * limit / jnp.maximum(jnp.linalg.norm(g), limit), updates)
    return optax.stateless(clip)


def optimiser(training: Training, steps_per_epoch: int):
    schedule = optax.exponential_decay(training.learning_rate, training.decay_every * steps_per_epoch,
                                       training.decay, staircase=True)
    return optax.chain(_clip_each_tensor(training.clip_norm), optax.adam(schedule, eps=1e-7))


def loss_function(params, state, stories, queries, answers, l2):
    """Mean cross-entropy + L2 penalty; also the new batch-norm state and the accuracy."""
    logits, state = twin.apply(params, state, stories, queries, train=True)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, answers).mean() + twin.penalty(params, l2)
    return loss, (state, (logits.argmax(-1) == answers).mean())


def _update(tx, l2):
    @jax.jit
    def update(params, state, opt_state, stories, queries, answers):
        (loss, (state, accuracy)), grads = jax.value_and_grad(loss_function, has_aux=True)(
            params, state, stories, queries, answers, l2)
        changes, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, changes), state, opt_state, loss, accuracy
    return update


@jax.jit
def _predict(params, state, stories, queries):
    return twin.apply(params, state, stories, queries)[0]


def logits(params, state, data, batch=500) -> np.ndarray:
    """The twin's answer logits for ``data`` (an :class:`protocols.data.babi.Encoded`)."""
    return np.concatenate([np.asarray(_predict(params, state, data.stories[i:i + batch], data.queries[i:i + batch]))
                           for i in range(0, len(data), batch)])


def accuracy(params, state, data) -> float:
    return float((logits(params, state, data).argmax(-1) == data.answers).mean())


def train(training: Training, data, valid, vocabulary: int, seed: int, progress=True, description="H-Mem") -> dict:
    """Train on ``data`` (Encoded); returns parameters, batch-norm state and the curve (per
    epoch: loss, training accuracy, validation accuracy on ``valid``, seconds)."""
    training.validate()
    params, state = twin.initial_parameters(vocabulary, data.stories.shape[-1], seed, training.read_before_write,
                                            training.embedding, training.memory)
    steps = -(-len(data) // training.batch)
    tx = optimiser(training, steps)
    opt_state = tx.init(params)
    update = _update(tx, training.l2)
    curve = []
    bar = tqdm(range(training.epochs), desc=description, disable=not progress, unit="epoch")
    for epoch in bar:
        started = time.perf_counter()
        order = np.random.default_rng([seed, 3, epoch]).permutation(len(data))
        losses, hits = [], []
        for i in range(0, len(data), training.batch):
            b = data.take(order[i:i + training.batch])
            params, state, opt_state, loss, acc = update(params, state, opt_state, b.stories, b.queries, b.answers)
            losses.append(float(loss) * len(b))
            hits.append(float(acc) * len(b))
        row = {"epoch": epoch + 1, "loss": sum(losses) / len(data), "accuracy": sum(hits) / len(data),
               "valid_accuracy": accuracy(params, state, valid), "seconds": time.perf_counter() - started}
        curve.append(row)
        bar.set_postfix(loss=f"{row['loss']:.3f}", valid=f"{row['valid_accuracy']:.3f}")
    as_numpy = lambda tree: jax.tree_util.tree_map(np.asarray, tree)  # noqa: E731
    return {"params": as_numpy(params), "state": as_numpy(state), "curve": curve}


def annarchy_logits(params, state, data, seed=1) -> np.ndarray:
    """The answer logits of a trained model whose memory is the ANNarchy network
    (:class:`networks.hebbian_memory.HebbianMemoryNetwork`, H-Mem's rule): the twin's
    encoders make each sentence's key and value, the network stores them one write per step,
    and the 3 hops read it (a step each); read-before-write reads before each write."""
    rbw = params.get("rbw")
    m = params["W_k"].shape[0]
    net = cache.build(HebbianMemoryNetwork, seed=seed, m=m, gamma_pos=twin.GAMMA_POS, gamma_neg=twin.GAMMA_NEG,
                      w_max=twin.W_MAX)
    sentences, mask = twin.encode(params, data.stories)
    sentences = twin.batch_norm(sentences, mask, params["bn_s"], state["bn_s"], False)[0]
    q, q_mask = twin.encode(params, data.queries)
    q = np.asarray(twin.batch_norm(q, q_mask, params["bn_q"], state["bn_q"], False)[0], np.float64)
    keys, values = (np.asarray(x, np.float64) for x in twin.keys_and_values(params, sentences, mask))
    W_r, W_o = np.asarray(params["W_r"], np.float64), np.asarray(params["W_o"], np.float64)
    out = np.zeros((len(data), W_o.shape[0]))
    for n in range(len(data)):
        net.erase()
        for t in np.flatnonzero(np.asarray(mask[n])):
            k, v = keys[n, t], values[n, t]
            if rbw is not None:
                k = np.asarray(twin.layer_norm(k, rbw["ln_k"]), np.float64)
                joined = np.concatenate([v, net.read(k)])
                v = np.asarray(twin.layer_norm(joined @ np.asarray(rbw["W"], np.float64).T, rbw["ln_v"]), np.float64)
            net.write(k, v)
        v = np.zeros(m)
        for _ in range(twin.HOPS):
            v = net.read(np.maximum(W_r @ np.concatenate([q[n], v]), 0.0))
        out[n] = W_o @ v
    return out
