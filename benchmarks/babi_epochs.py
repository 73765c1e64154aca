"""Seconds per training epoch of H-Mem on bAbI-style tasks, and the written-out gradient of the
Hebbian writes against automatic differentiation.

    python benchmarks/babi_epochs.py [--tasks 1-20] [--train-size 10k] [--read-before-write]
                                     [--kernels native,jax] [--workers K]

Measured in one run, on the device JAX uses (the CPU here, a GPU where present):

1. per task, one epoch of the paper's training (batch 128 over the training split of the
   generated 10k set, 90 % of 10 000 questions) after a first epoch that compiles: seconds
   with each kernel of the writes (the first one of ``--kernels`` projects; with two, the
   ratio of the second's seconds to the first's), with the stories' mean and longest length
   in sentences; and the projected time of the
   paper's 100 epochs (250 with read-before-write) per run and of 3 runs per task; with
   ``--workers K``, the projected wall time of all the timed tasks' 3 runs on K workers as
   fast as this machine, in the runner's order (task by task, each worker taking the next run
   when free), and the longest run, the bound of any number of workers;
2. for one batch of 128 stories of task 3 (the longest): the gradient of the writes by the
   compiled loops (:func:`networks.hebbian_memory_twin.native_writes`), written out in JAX
   (:func:`networks.hebbian_memory_twin.hebbian_writes`) and differentiated automatically
   through a plain scan, the baseline: seconds and ratios to it.
"""

import argparse
import heapq
import time

import jax
import jax.numpy as jnp
import numpy as np

from networks import hebbian_memory_twin as twin
from protocols.data import babi
from protocols.learning import babi as learning
from protocols.running.runner import parse_seeds


def epoch_seconds(task, train_size, read_before_write, kernel, seed=1) -> dict:
    config = {"data": None, "data_seed": 0, "train_size": train_size}
    train_set, valid_set, test_set = learning.splits(config, task)
    vocabulary = babi.Vocabulary(train_set, valid_set, test_set)
    data = vocabulary.encode(train_set)
    training = learning.Training(epochs=2, read_before_write=read_before_write, kernel=kernel)
    curve = learning.train(training, data, vocabulary.encode(valid_set[:10]), len(vocabulary), seed, progress=False)["curve"]
    lengths = [len(s.story) for s in train_set]
    return {"task": task, "mean": np.mean(lengths), "longest": max(lengths), "seconds": curve[1]["seconds"]}


def gradient_seconds(batch=128, repeats=3) -> tuple:
    """(sentences, {way: seconds}) of the gradient of the writes of one batch of task 3 (its
    stories' lengths and mask; keys and values drawn at random, which the cost does not depend
    on): by the compiled loops, written out in JAX, and differentiated automatically through a
    plain scan."""
    config = {"data": None, "data_seed": 0, "train_size": "1k"}
    samples = learning.splits(config, 3)[0][:batch]
    data = babi.Vocabulary(samples).encode(samples).trimmed(twin.BLOCK)
    mask = jnp.asarray(data.stories.any(axis=-1))
    m = learning.Training().memory
    rng = np.random.default_rng(0)
    k, v = (jnp.asarray(rng.exponential(1.0, (*mask.shape, m)), jnp.float32) for _ in range(2))

    def plain(k, v, mask):
        def one(M, x):
            return twin._write_step(M, x), None
        xs = [jnp.moveaxis(x, 1, 0) for x in (k, v, mask)]
        return jax.lax.scan(one, jnp.zeros((k.shape[0], m, m), k.dtype), xs)[0]

    def native(k, v, mask):  # the stories at a stride of T rows
        n, T = mask.shape
        return twin.native_writes(k.reshape(n * T, m), v.reshape(n * T, m), mask.reshape(n * T),
                                  jnp.arange(n + 1, dtype=jnp.int32) * T)

    seconds = {}
    for way, writes in [("automatic", plain), ("written out", twin.hebbian_writes), ("native", native)]:
        gradient = jax.jit(jax.grad(lambda k, v: jnp.sum(writes(k, v, mask) ** 2), argnums=(0, 1)))
        jax.block_until_ready(gradient(k, v))
        started = time.perf_counter()
        for _ in range(repeats):
            jax.block_until_ready(gradient(k, v))
        seconds[way] = (time.perf_counter() - started) / repeats
    return mask.shape[1], seconds


def wall_time(durations, workers: int) -> float:
    """The finish time of ``durations`` run in their order on ``workers`` workers, each worker
    taking the next run as soon as it is free (Dask's and the worker pool's dispatch)."""
    free = [0.0] * min(workers, len(durations))
    for duration in durations:
        heapq.heappush(free, heapq.heappop(free) + duration)
    return max(free, default=0.0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default="1-20", help="tasks to time (default 1-20)")
    parser.add_argument("--train-size", default="10k", choices=["1k", "10k"])
    parser.add_argument("--read-before-write", action="store_true")
    parser.add_argument("--workers", default="", help="project the 3 runs per task onto K workers, e.g. 20,60")
    parser.add_argument("--kernels", default=twin.default_kernel(),
                        help="the writes' kernels to time, the first projecting: native, jax or both (native,jax)")
    args = parser.parse_args(argv)
    kernels = args.kernels.split(",")
    if not 1 <= len(kernels) <= 2 or not set(kernels) <= set(twin.KERNELS):
        parser.error(f"--kernels names one or two of {', '.join(twin.KERNELS)}, got {args.kernels!r}.")
    print(f"JAX device: {jax.devices()[0].device_kind} ({jax.default_backend()})")
    rows, (sentences, seconds) = [], gradient_seconds()
    print(f"task 3, the writes' gradient for 128 stories of {sentences} sentences: "
          + ", ".join(f"{way} {s:.3f} s ({seconds['automatic'] / s:.2f}x automatic)" for way, s in seconds.items()))
    epochs = 250 if args.read_before_write else 100
    other = f" | s per epoch, {kernels[1]} | ratio" if len(kernels) == 2 else ""
    print(f"| task | mean sentences | longest | s per epoch, {kernels[0]}{other} | one run ({epochs} epochs), h "
          f"| 3 runs, h |")
    print("|---|---|---|---|---|---|" + ("---|---|" if other else ""))
    for task in parse_seeds(args.tasks):
        timed = [epoch_seconds(task, args.train_size, args.read_before_write, kernel) for kernel in kernels]
        row = timed[0]
        rows.append(row)
        versus = f" | {timed[1]['seconds']:.1f} | {timed[1]['seconds'] / row['seconds']:.2f}" if other else ""
        print(f"| {task} | {row['mean']:.1f} | {row['longest']} | {row['seconds']:.1f}{versus} | "
              f"{row['seconds'] * epochs / 3600:.2f} | {3 * row['seconds'] * epochs / 3600:.2f} |", flush=True)
    runs = [r["seconds"] * epochs / 3600 for r in rows for _ in range(3)]
    print(f"all {len(rows)} tasks, 3 runs each: {sum(runs):.1f} h on this machine, one run after the other")
    for workers in parse_seeds(args.workers) if args.workers else []:
        print(f"on {workers} workers as fast as this machine: {wall_time(runs, workers):.1f} h "
              f"(the longest run: {max(runs):.1f} h)")


if __name__ == "__main__":
    main()
