"""BPTT throughput of Orhan & Ma's networks against this machine's own float32 matrix rate.

    python benchmarks/bptt_throughput.py [--hidden 500] [--grid 4] [--updates 20] [--processes 2]

Measured in one run, on the device JAX uses (the CPU here, a GPU where present):

1. the machine's float32 matrix-product rate (a 2048 x 2048 product, GFLOP/s, 2 per
   multiply-add; the best of 5 rounds, here and again at the end): the ceiling; and the rate
   of 150 chained products of the size BPTT's steps make ((50 x N) by (N x N), each on the
   one before's result), which bounds a sequential scan at batch 50;
2. one network's BPTT updates per second (batch 50, 150 steps), and the fraction of the
   ceiling they reach. One update costs three products of (50 x N) by (N x N) per step
   (forward, the gradient into h, the gradient of W): 3 * 150 * 2 * 50 * N^2 FLOP
   (11.25 GFLOP at N = 500, i.e. 5.6 G multiply-adds), plus the input and readout products
   and the trial generation in numpy, which are counted as overhead, not work. Two of the
   three products wait on the step before (forward, gradient into h) and so run at most at
   the chained rate; the third (W's gradient) at best at the ceiling: no scan at batch 50 is
   faster than the sequential bound 1 / (2/3 / chained + 1/3 / ceiling), and the training's
   fraction of it is printed too;
3. a vmapped grid of ``--grid`` networks against the same networks trained one after the
   other: network-updates per second, the grid's fraction of the ceiling, and their ratio;
4. ``--processes`` single networks trained side by side, one per worker process of the
   library's pool (``--jobs``), pinned to their share of the cores and not: network-updates per
   second together and their fraction of the ceiling;
5. the ANNarchy network's test trials per second next to the twin's (forward only).

The first updates (compilation) are not timed.
"""

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

from networks import cache
from networks import orhan_ma_twin as twin
from networks.orhan_ma import OrhanMaNetwork, initial_parameters
from protocols.learning.bptt import GridTraining, Training
from protocols.running.runner import WorkerPool
from protocols.tasks.orhan_ma import TASKS


def timed_rate(compiled, args, flop, repeats) -> float:
    """GFLOP/s of ``compiled(*args)``, ``flop`` per call, over ``repeats`` calls after a first
    that compiles."""
    compiled(*args).block_until_ready()
    started = time.perf_counter()
    for _ in range(repeats):
        compiled(*args).block_until_ready()
    return flop * repeats / (time.perf_counter() - started) / 1e9


def matrix_rate(size=2048, repeats=10, rounds=5) -> float:
    """float32 GFLOP/s of a size x size matrix product on JAX's device: the best of ``rounds``
    rounds (a virtual machine's rate varies from minute to minute; the best is the ceiling)."""
    a = jax.random.normal(jax.random.PRNGKey(0), (size, size), jnp.float32)
    product = jax.jit(lambda x: x @ x)
    return max(timed_rate(product, (a,), 2 * size**3, repeats) for _ in range(rounds))


def step_rate(batch, size, steps, repeats=20) -> float:
    """float32 GFLOP/s of ``steps`` chained (batch x size) by (size x size) products in one
    compiled loop: a scan's products, each waiting on the one before, without its other work."""
    key = jax.random.PRNGKey(0)
    h = jax.random.normal(key, (batch, size), jnp.float32)
    w = jax.random.normal(key, (size, size), jnp.float32) / jnp.sqrt(size)
    chain = jax.jit(lambda h, w: jax.lax.fori_loop(0, steps, lambda _, x: x @ w, h))
    return timed_rate(chain, (h, w), 2 * batch * size**2 * steps, repeats)


def updates_per_second(task, cells, hidden, updates) -> float:
    """Updates per second of a grid of ``cells`` trained together (after a warm-up update)."""
    warm = Training(updates=1, hidden=hidden, report_every=1)
    GridTraining(task, cells, warm).run(progress=False)
    training = Training(updates=updates, hidden=hidden, report_every=updates)
    started = time.perf_counter()
    GridTraining(task, cells, training).run(progress=False)
    return updates / (time.perf_counter() - started)


def one_network(hidden, updates) -> float:
    """Updates per second of one 2AFC network (a worker's task)."""
    return updates_per_second(TASKS["2afc"](), [dict(lambda0=0.9, sigma0=0.2, seed=1)], hidden, updates)


def side_by_side(processes, hidden, updates, pin) -> float:
    """Network-updates per second of ``processes`` single networks trained at once, one per
    worker of a :class:`WorkerPool` (pinned to their cores or not)."""
    with WorkerPool(processes, pin=pin) as pool:
        return sum(f.result() for f in [pool.submit(one_network, hidden, updates) for _ in range(processes)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hidden", type=int, default=500)
    parser.add_argument("--grid", type=int, default=4)
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2, help="networks trained side by side in worker processes")
    parser.add_argument("--trials", type=int, default=50, help="test trials for the playback rates")
    args = parser.parse_args(argv)
    task = TASKS["2afc"]()
    n, steps, batch = args.hidden, task.trial_steps, 50
    print(f"JAX device: {jax.devices()[0]}")
    ceiling = matrix_rate()
    print(f"float32 matrix product: {ceiling:.1f} GFLOP/s (the ceiling)")
    step = step_rate(batch, n, steps)
    print(f"{steps} chained products ({batch} x {n} by {n} x {n}): {step:.1f} GFLOP/s = {step / ceiling:.0%} of the ceiling")
    bound = 1.0 / (2 / 3 / step + 1 / 3 / ceiling)
    print(f"sequential bound (forward and gradient into h chained, W's gradient at the ceiling): "
          f"{bound:.1f} GFLOP/s = {bound / ceiling:.0%} of the ceiling")
    work = 3 * steps * 2 * batch * n**2 / 1e9
    one = updates_per_second(task, [dict(lambda0=0.9, sigma0=0.2, seed=1)], n, args.updates)
    print(f"one network, N = {n}: {one:.2f} updates/s ({1 / one:.3f} s each), {work:.2f} GFLOP each: "
          f"{one * work:.1f} GFLOP/s = {one * work / ceiling:.0%} of the ceiling, "
          f"{one * work / bound:.0%} of the sequential bound")
    cells = [dict(lambda0=0.9, sigma0=0.2, seed=s) for s in range(1, args.grid + 1)]
    together = updates_per_second(task, cells, n, args.updates) * len(cells)
    alone = 1.0 / sum(1.0 / updates_per_second(task, [c], n, args.updates) for c in cells) * len(cells)
    print(f"{len(cells)} networks: vmapped {together:.2f} network-updates/s ({together * work:.1f} GFLOP/s = "
          f"{together * work / ceiling:.0%} of the ceiling), one by one {alone:.2f}: ratio {together / alone:.2f}")
    for pin in (True, False):
        rate = side_by_side(args.processes, n, args.updates, pin)
        print(f"{args.processes} networks side by side in {'pinned' if pin else 'unpinned'} worker processes: "
              f"{rate:.2f} network-updates/s ({rate * work:.1f} GFLOP/s = {rate * work / ceiling:.0%} of the ceiling)")
    params = initial_parameters(len(task.inputs), 1, 1, 0.9, 0.2, n)
    trials = task.draw(np.random.default_rng(0), args.trials).inputs
    net = cache.build(OrhanMaNetwork, seed=1, n_inputs=len(task.inputs), n_hidden=n, n_outputs=1)
    net.load(params, sigmoid=True)
    started = time.perf_counter()
    net.play_batch(trials)
    annarchy = args.trials / (time.perf_counter() - started)
    jparams = {k: jnp.asarray(v) for k, v in params.items()}
    twin.run(jparams, jnp.asarray(trials), sigmoid=True)[1].block_until_ready()
    started = time.perf_counter()
    twin.run(jparams, jnp.asarray(trials), sigmoid=True)[1].block_until_ready()
    jax_rate = args.trials / (time.perf_counter() - started)
    print(f"test trials/s: ANNarchy (one by one) {annarchy:.0f}, twin (batched) {jax_rate:.0f}: "
          f"ratio {annarchy / jax_rate:.2f}")
    again = matrix_rate()
    print(f"float32 matrix product again: {again:.1f} GFLOP/s"
          + (f": above the first; the fractions against it are {ceiling / again:.2f} times those printed" if again > ceiling else ""))


if __name__ == "__main__":
    main()
