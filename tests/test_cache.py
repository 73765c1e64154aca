"""Compile once, run many: build folders are keyed by structure and shared by processes."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from networks import cache
from networks.orhan_ma import OrhanMaNetwork
from networks.reservoir import ReservoirNetwork, draw_weights, preset

ROOT = Path(__file__).resolve().parents[1]

BUILD = """
import sys
import numpy as np
from networks import cache
from networks.reservoir import ReservoirNetwork, draw_weights, preset
seed, p, eta = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
config = preset("notebook", n_neurons=12, density=p, eta=eta, output=4)
w_in, w_rec = draw_weights(config, 2, np.random.default_rng(seed))
net = cache.build(ReservoirNetwork, seed=seed, w_in=w_in, w_rec=w_rec, config=config, trial_steps=20)
net.start_trial(np.zeros(12))
print(net.build_event, net.run_trial(np.ones((20, 2)))[-1])
"""


def _start(cache_dir, *args):
    env = {**os.environ, cache.CACHE_ENV: str(cache_dir)}
    return subprocess.Popen(
        [sys.executable, "-c", BUILD, *map(str, args)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _events(cache_dir):
    (log,) = Path(cache_dir).glob("*/builds.log")
    return [line.split()[2] for line in log.read_text().splitlines()]


def test_concurrent_processes_compile_once_and_reuse(tmp_path):
    first, second = _start(tmp_path, 1, 0.5, 0.5), _start(tmp_path, 2, 0.5, 0.5)
    for proc in (first, second):
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    assert sorted(_events(tmp_path)) == ["compiled", "reused"]

    # a new seed, connection probability and learning rate reuse the same build
    third = _start(tmp_path, 3, 0.2, 0.1)
    out, err = third.communicate(timeout=600)
    assert third.returncode == 0, err
    assert out.splitlines()[-1].split()[0] == "reused"
    assert _events(tmp_path)[-1] == "reused"
    assert len(list(tmp_path.glob("*/builds.log"))) == 1


def _key(**overrides):
    config = preset("notebook", **overrides)
    w_in, w_rec = draw_weights(config, 2, np.random.default_rng(0))
    return cache.structure_key(
        ReservoirNetwork(w_in=w_in, w_rec=w_rec, config=config, trial_steps=100)
    )


def test_key_ignores_values_but_not_structure():
    base = _key()
    assert _key(density=0.7, eta=0.01, A=30.0, output=7) == base
    assert _key(n_neurons=150) != base


def test_the_kept_build_records_nothing_while_its_copies_run():
    """The network a build keeps (never handed out) has the monitors of its class; left
    running they recorded every step of every copy and nothing read them (a leak of 4 kB per
    step at 500 units). They are paused; the copy's own monitors record."""
    net = cache.build(OrhanMaNetwork, seed=1, n_inputs=3, n_hidden=7, n_outputs=1)
    hidden, _ = net.play(np.ones((12, 3)))
    assert hidden.shape == (12, 7)
    kept = next(t for t in cache._compiled.values() if isinstance(t, OrhanMaNetwork) and t.sizes == (3, 7, 1))
    assert all(len(monitor.get("r")) == 0 for monitor in kept.get_monitors())
    # and a copy made stale by a newer one stops recording (it recorded every step of the
    # newer copies: 0.6 GB per 1000 test trials at 500 units, per stale copy, until OOM)
    newer = cache.build(OrhanMaNetwork, seed=2, n_inputs=3, n_hidden=7, n_outputs=1)
    newer.play(np.ones((12, 3)))
    assert all(len(monitor.get("r")) == 0 for monitor in net.get_monitors())
