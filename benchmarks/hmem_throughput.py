"""Image association throughput: sequences per second of the Hebbian memory model, training
(the readout learns) and testing, and how it changes with the memory size m.

    python benchmarks/hmem_throughput.py [--sizes 100,200,400] [--delays 0,40] [--sequences 200]

One process, one thread, the protocol's functions and defaults (MNIST subset and 8x8 digits,
noise filler). Each size gets its own compiled build (m is structural) and encoders trained on
2000 frames first, so the gate stores the pairs only. Rates are medians of ``--repeats`` runs;
the table ends with each rate relative to the smallest m at the same delay, and a line for the
reservoir baseline (400 units) at the same delays.
"""

import argparse
import statistics
import time

import numpy as np

from protocols import image_association as protocol

ENCODER_FRAMES = 2000


def config(m) -> dict:
    return {
        "memory": {**protocol.PRESETS["limbacher2020"], "memory_size": m, "key_density": 0.1},
        "reservoir": {"units": 400, "leak": 0.3, "spectral_radius": 0.9, "input_scale": 1.0},
    }


def rates(net, data, delays, n, repeats) -> dict:
    """{delay: (training sequences/s, test sequences/s)}, medians over ``repeats``."""
    found = {}
    for delay in delays:
        task = protocol.ImageAssociation(delay, "noise")
        norms = protocol.readout_norms(net, task, data, [0, 5], n=5)
        runs = {"train": [], "test": []}
        for repeat in range(repeats):
            for phase, learning in (("train", (0.1, norms)), ("test", None)):
                start = time.perf_counter()
                protocol.sequences(net, task, data, n, [repeat, 2], phase, "bench", learning, progress=False)
                runs[phase].append(n / (time.perf_counter() - start))
        found[delay] = (statistics.median(runs["train"]), statistics.median(runs["test"]))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,200,400", help="memory sizes m")
    parser.add_argument("--delays", default="0,40", help="filler frames D")
    parser.add_argument("--sequences", type=int, default=200, help="timed sequences per run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(m) for m in args.sizes.split(",")]
    delays = [int(d) for d in args.delays.split(",")]

    data = protocol.load_data("mnist-subset", "sklearn", "train")
    encoder_task = protocol.ImageAssociation(0, "noise")
    table = {}
    for m in sizes:
        started = time.perf_counter()
        net = protocol.build_hmem(config(m), data, seed=1)
        build = time.perf_counter() - started
        protocol.train_encoders(net, encoder_task, data, ENCODER_FRAMES, 0.2, np.random.default_rng(1), False)
        table[m] = rates(net, data, delays, args.sequences, args.repeats)
        print(f"m = {m}: build {net.build_event} in {build:.1f} s")
    reservoir = protocol.build_reservoir(config(sizes[0]), data, seed=1)
    reservoir.load_encoders(net.encoder_state())
    baseline = rates(reservoir, data, delays, args.sequences, args.repeats)

    print(f"{'model':>14} {'D':>3} {'train seq/s':>12} {'test seq/s':>11} {'train ratio':>12} {'test ratio':>11}")
    for m in sizes:
        for delay in delays:
            train, test = table[m][delay]
            train0, test0 = table[sizes[0]][delay]
            print(f"{f'H-Mem m={m}':>14} {delay:>3} {train:>12.1f} {test:>11.1f} {train / train0:>12.2f} {test / test0:>11.2f}")
    for delay in delays:
        train, test = baseline[delay]
        print(f"{'reservoir 400':>14} {delay:>3} {train:>12.1f} {test:>11.1f} {'':>12} {'':>11}")
    print("ratios (m / m=" + str(sizes[0]) + ", test): " + ", ".join(
        f"m={m} D={d} {table[m][d][1] / table[sizes[0]][d][1]:.2f}" for m in sizes[1:] for d in delays
    ))


if __name__ == "__main__":
    main()
