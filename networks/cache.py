"""Compile once, run many: a build folder per structural variant, shared by processes.

A network is described by what changes ANNarchy's generated code: population sizes, the
neuron and synapse equations and the names of their attributes, the projections, their
storage format, the compiler flags and ANNarchy's version. Parameter values, seeds, weights
and connection probabilities are runtime data and never enter the key, so a sweep over them
compiles once. The first network of a variant in a process compiles (or reuses the build in
its folder); the following ones are ``Network.copy()`` of it, which reuses the loaded library.

The cache lives in ``$PLASTICNETS_CACHE`` (default ``~/.cache/plasticnets``); a file lock per
folder makes sure no two processes compile into it at once.
"""

import contextlib
import fcntl
import hashlib
import inspect
import json
import os
import sys
import time
from pathlib import Path

import ANNarchy as ann

CACHE_ENV = "PLASTICNETS_CACHE"
COMPILER_FLAGS = "-march=native -O3 -ffast-math"

_compiled = {}  # key -> the first compiled network of that variant in this process


def cache_root() -> Path:
    """The folder that holds one build folder per structural variant."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "plasticnets")


def _attribute_names(spec):
    if isinstance(spec, dict):
        return sorted(
            (name, getattr(value, "locality", None)) for name, value in spec.items()
        )
    return spec


def _own_code(proj):
    """Hash of the module of a projection class with its own C++ code (not ANNarchy's)."""
    if type(proj).__module__.startswith("ANNarchy"):
        return None
    source = inspect.getsource(sys.modules[type(proj).__module__])
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def describe(net: ann.Network) -> dict:
    """What of ``net`` shapes the generated C++ code (not parameter values or weights)."""
    pops = [
        dict(
            name=pop.name,
            geometry=list(pop.geometry),
            kind=type(pop).__name__,
            parameters=_attribute_names(pop.neuron_type.parameters),
            equations=pop.neuron_type.equations,
        )
        for pop in net.get_populations()
    ]
    projs = [
        dict(
            pre=proj.pre.name,
            post=proj.post.name,
            target=proj.target,
            parameters=_attribute_names(proj.synapse_type.parameters),
            equations=proj.synapse_type.equations,
            psp=proj.synapse_type.psp,
            format=proj._storage_format,
            kind=type(proj).__qualname__,
            code=_own_code(proj),
        )
        for proj in net.get_projections()
    ]
    mons = [sorted(mon.variables) for mon in net.get_monitors()]
    return dict(
        network=type(net).__qualname__,
        populations=pops,
        projections=projs,
        monitors=mons,
        annarchy=ann.__release__,
        flags=COMPILER_FLAGS,
    )


def structure_key(net: ann.Network) -> str:
    """Short hash of :func:`describe`: the name of the variant's build folder."""
    text = json.dumps(describe(net), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@contextlib.contextmanager
def folder_lock(folder: Path):
    """Exclusive lock on ``folder`` across processes (released when the block ends)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _library(folder: Path, net: ann.Network) -> Path:
    return folder / f"ANNarchyWrapper{net.id}.so"


def build(cls, *, seed: int, **kwargs) -> ann.Network:
    """A compiled, instantiated ``cls(seed=seed, **kwargs)``, reusing any existing build.

    ``cls`` is an ``ann.Network`` subclass that builds everything in ``__init__`` and sets
    its runtime values in ``on_compiled()``; ``seed`` seeds ANNarchy's C++ generators.

    Writes one line per compile call to ``builds.log`` in the variant's folder: ``compiled``
    when the C++ library was (re)built, ``reused`` when it was already there. The network
    gets ``build_event`` (compiled, reused or copied) and ``build_seconds``.
    """
    net = cls(seed=seed, **kwargs)
    key = structure_key(net)
    template = _compiled.get(key)
    if template is not None:
        del net
        started = time.perf_counter()
        net = template.copy(seed=seed, **kwargs)
        net.build_event, net.build_seconds = "copied", time.perf_counter() - started
        net.on_compiled()
        return net
    folder = cache_root() / key
    net.config(num_threads=1)
    with folder_lock(folder):
        library = _library(folder, net)
        before = library.stat().st_mtime_ns if library.exists() else None
        started = time.perf_counter()
        net.compile(directory=str(folder), silent=True, compiler_flags=COMPILER_FLAGS)
        seconds = time.perf_counter() - started
        after = _library(folder, net).stat().st_mtime_ns
        event = "reused" if before == after else "compiled"
        with open(folder / "builds.log", "a") as log:
            log.write(f"{os.getpid()} {net.id} {event} {seconds:.3f}\n")
    net.build_event, net.build_seconds = event, seconds
    net.on_compiled()
    _compiled[key] = net
    return net
