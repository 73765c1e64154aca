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
import functools
import hashlib
import json
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm import tqdm

from networks import cache
from networks import hebbian_memory_twin as twin
from networks.hebbian_memory import HebbianMemoryNetwork
from protocols.data import babi, babi_stories
from protocols.learning import checkpoints
from protocols.running import results


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
    kernel: str = "native"

    def validate(self):
        for name in ("epochs", "batch", "decay_every", "memory", "embedding"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        if not (self.learning_rate > 0 and 0 < self.decay <= 1 and self.clip_norm > 0 and self.l2 >= 0):
            raise ValueError("the learning rate and clip norm must be positive, the decay in (0, 1], l2 >= 0.")
        if self.kernel not in twin.KERNELS:
            raise ValueError(f"the kernel is one of {', '.join(twin.KERNELS)}, got {self.kernel!r}.")
        return self


PRESETS = {"limbacher2020": Training()}
"""The paper's values (its read-before-write runs train 250 epochs: --epochs 250)."""


def _clip_each_tensor(limit):
    """Keras' ``clipnorm``: every gradient tensor g becomes g * limit / max(|g|, limit)."""
    def clip(updates, params=None):
        return jax.tree_util.tree_map(lambda g: g * limit / jnp.maximum(jnp.linalg.norm(g), limit), updates)
    return optax.stateless(clip)


def optimiser(training: Training, steps_per_epoch: int):
    schedule = optax.exponential_decay(training.learning_rate, training.decay_every * steps_per_epoch,
                                       training.decay, staircase=True)
    return optax.chain(_clip_each_tensor(training.clip_norm), optax.adam(schedule, eps=1e-7))


def loss_function(params, state, stories, queries, answers, l2, kernel, real=None):
    """Mean cross-entropy + L2 penalty; also the new batch-norm state and the accuracy."""
    logits, state = twin.apply(params, state, stories, queries, train=True, kernel=kernel, real=real)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, answers).mean() + twin.penalty(params, l2)
    return loss, (state, (logits.argmax(-1) == answers).mean())


def _update(tx, l2, kernel):
    @jax.jit
    def update(params, state, opt_state, stories, queries, answers, real):
        (loss, (state, accuracy)), grads = jax.value_and_grad(loss_function, has_aux=True)(
            params, state, stories, queries, answers, l2, kernel, real)
        changes, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, changes), state, opt_state, loss, accuracy
    return update


def _trimmed(samples, kernel):
    """``samples`` with less padding, in few shapes (each new one compiles the update again):
    stories cut to a multiple of 16 sentences for the jax scan, whose work grows with their
    length, and to a power of two for the native loops, whose work does not."""
    return samples.trimmed(twin.BLOCK, power_of_two=kernel == "native")


@functools.partial(jax.jit, static_argnames="kernel")
def _predict(params, state, stories, queries, real, kernel):
    return twin.apply(params, state, stories, queries, kernel=kernel, real=real)[0]


def logits(params, state, data, batch=500, kernel="native") -> np.ndarray:
    """The twin's answer logits for ``data`` (an :class:`protocols.data.babi.Encoded`)."""
    parts = [_trimmed(data.take(slice(i, i + batch)), kernel) for i in range(0, len(data), batch)]
    return np.concatenate([np.asarray(_predict(params, state, part.stories, part.queries,
                                                    twin.real_sentences(part.stories), kernel)) for part in parts])


def accuracy(params, state, data, kernel="native") -> float:
    return float((logits(params, state, data, kernel=kernel).argmax(-1) == data.answers).mean())


def _identity(training: Training, data, seed: int) -> str:
    """What a checkpoint must match to be continued: all but the number of epochs (a training
    can be continued to more epochs), and the training samples themselves."""
    fields = {k: v for k, v in dataclasses.asdict(training).items() if k != "epochs"}
    arrays = (data.stories, data.queries, data.answers)
    samples = hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays))
    return json.dumps({"training": fields, "seed": seed, "samples": samples.hexdigest()}, sort_keys=True)


def train(training: Training, data, valid, vocabulary: int, seed: int, progress=True, description="H-Mem",
          checkpoint=None, every=5) -> dict:
    """Train on ``data`` (Encoded); returns parameters, batch-norm state and the curve (per
    epoch: loss, training accuracy, validation accuracy on ``valid``, seconds). ``checkpoint``
    (an npz path) is written every ``every`` epochs and continued from where it exists: an
    interrupted training resumes to the same weights, bit for bit on one machine (each epoch's
    order comes from its own seed)."""
    training.validate()
    params, state = twin.initial_parameters(vocabulary, data.stories.shape[-1], seed, training.read_before_write,
                                            training.embedding, training.memory)
    steps = -(-len(data) // training.batch)
    tx = optimiser(training, steps)
    opt_state = tx.init(params)
    update = _update(tx, training.l2, training.kernel)
    curve, identity = [], _identity(training, data, seed)
    if checkpoint is not None and Path(checkpoint).exists():
        saved, meta = checkpoints.load(checkpoint, identity, (params, state, opt_state))
        (params, state, opt_state), curve = jax.tree_util.tree_map(jnp.asarray, saved), meta["curve"]
    bar = tqdm(range(len(curve), training.epochs), initial=len(curve), total=training.epochs, desc=description,
               disable=not progress, unit="epoch")
    for epoch in bar:
        started = time.perf_counter()
        order = np.random.default_rng([seed, 3, epoch]).permutation(len(data))
        losses, hits = [], []
        for i in range(0, len(data), training.batch):
            b = _trimmed(data.take(order[i:i + training.batch]), training.kernel)
            params, state, opt_state, loss, acc = update(params, state, opt_state, b.stories, b.queries, b.answers,
                                                         twin.real_sentences(b.stories))
            losses.append(float(loss) * len(b))
            hits.append(float(acc) * len(b))
        row = {"epoch": epoch + 1, "loss": sum(losses) / len(data), "accuracy": sum(hits) / len(data),
               "valid_accuracy": accuracy(params, state, valid, training.kernel), "seconds": time.perf_counter() - started}
        curve.append(row)
        bar.set_postfix(loss=f"{row['loss']:.3f}", valid=f"{row['valid_accuracy']:.3f}")
        if checkpoint is not None and (epoch + 1) % every == 0:
            checkpoints.save(checkpoint, identity, (params, state, opt_state), curve=curve)
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


def splits(config, task: int) -> list:
    """The train, validation and test samples of ``task``: from the real files at
    ``config["data"]`` or generated (bAbI-style) from ``config["data_seed"]``."""
    setting = {"1k": "en", "10k": "en-10k"}[config["train_size"]]
    if config["data"]:
        return [babi.load(config["data"], task, split, setting=setting) for split in babi.SPLITS]
    train, test = (babi.parse(babi_stories.split_lines(task, split, setting, config["data_seed"]),
                              f"generated task {task}") for split in ("train", "test"))
    cut = len(train) - round(babi.VALIDATION_FRACTION * len(train))
    return [train[:cut], train[cut:], test]


def _flat(tree) -> dict:
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in jax.tree_util.tree_leaves_with_path(tree)}


def load_model(folder):
    """(parameters, batch-norm state) of a trained model saved by :func:`run`."""
    config = results.read_json(Path(folder) / "config.json")
    saved = np.load(Path(folder) / "weights.npz")
    like = twin.initial_parameters(config["vocabulary"], config["width"], 0, config["training"]["read_before_write"],
                                   config["training"]["embedding"], config["training"]["memory"])
    names = list(_flat(like))
    leaves = [saved[name] for name in names]
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(like), leaves)


def run(config, key, folder, progress=True) -> dict:
    """Train and test H-Mem on one task with one seed into ``folder``; returns its summary row.
    Test accuracy is that of the model of record, its memory the ANNarchy network; the twin's
    is reported beside it."""
    task, seed = key["task"], key["seed"]
    started = time.perf_counter()
    train_set, valid_set, test_set = splits(config, task)
    vocabulary = babi.Vocabulary(train_set, valid_set, test_set, sentences=config["sentences"])
    data = [vocabulary.encode(s) for s in (train_set, valid_set, test_set)]
    training = Training(**config["training"])
    checkpoint = checkpoints.beside(folder, Path(folder).name)
    trained = train(training, data[0], data[1], len(vocabulary), seed, progress, description=f"task {task} seed {seed}",
                    checkpoint=checkpoint)
    params, state = trained["params"], trained["state"]
    through_annarchy = annarchy_logits(params, state, data[2], seed).argmax(-1)
    in_twin = logits(params, state, data[2], kernel=training.kernel).argmax(-1)
    curve = trained["curve"]
    row = {"task": task, "seed": seed, "test_accuracy": float((through_annarchy == data[2].answers).mean()),
           "twin_test_accuracy": float((in_twin == data[2].answers).mean()),
           "valid_accuracy": curve[-1]["valid_accuracy"], "train_accuracy": curve[-1]["accuracy"],
           "epochs": len(curve), "seconds": time.perf_counter() - started,
           "seconds_per_epoch": float(np.mean([r["seconds"] for r in curve])),
           "read_before_write": training.read_before_write, "kernel": training.kernel, "data": "bAbI" if config["data"] else "bAbI-style"}
    with results.results_folder(folder, overwrite=True) as staged:
        results.write_json(staged / "config.json", {**config, "network": key, "vocabulary": len(vocabulary),
                                                    "width": vocabulary.width, "words": vocabulary.words})
        results.write_rows(staged / "curve.csv", curve)
        np.savez_compressed(staged / "weights.npz", **_flat((params, state)))
        np.savez_compressed(staged / "answers.npz", answers=data[2].answers, annarchy=through_annarchy, twin=in_twin)
        results.write_json(staged / "summary.json", row)
    checkpoints.discard(checkpoint)
    return row


def label(row) -> str:
    return f"task {row['task']} seed {row['seed']}"


def report(row) -> str:
    return (f"{label(row)}: test accuracy {row['test_accuracy']:.3f} (twin {row['twin_test_accuracy']:.3f}), "
            f"validation {row['valid_accuracy']:.3f}, {row['epochs']} epochs, {row['seconds_per_epoch']:.1f} s/epoch")
