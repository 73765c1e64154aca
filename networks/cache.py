"""Compile once, run many: a build folder per structural variant, shared by processes.

A network is described by what changes ANNarchy's generated code and its binary: population
sizes, the neuron and synapse equations and the names of their attributes, the projections,
their storage format, the compiler flags, ANNarchy's version, and the compiler with the CPU
target that ``-march=native`` resolves to on this machine. The build stays native (fast);
with the target in the key, a cache shared by the nodes of a cluster holds one build per
kind of CPU, and a node never loads code compiled for instructions it lacks. Parameter
values, seeds, weights and connection probabilities are runtime data and never enter the
key, so a sweep over them compiles once. The first network of a variant in a process compiles (or reuses the build in
its folder) and stays in this module; every network handed out is a copy of it
(``Network.copy()``), which reuses the loaded library without compiling.

The networks of one variant in a process share that library's state (ANNarchy loads one
library once), so only the newest of them is live: building another one turns the older
handle stale, and its methods raise :class:`StaleNetwork` instead of silently playing the
newer network's state.

The cache lives in ``$PLASTICNETS_CACHE`` (default ``~/.cache/plasticnets``); a file lock per
folder makes sure no two processes compile into it at once.
"""

import contextlib
import fcntl
import functools
import hashlib
import inspect
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import ANNarchy as ann

CACHE_ENV = "PLASTICNETS_CACHE"
COMPILER_FLAGS = "-march=native -O3 -ffast-math"

_compiled = {}  # key -> the compiled network of that variant in this process (never handed out)
_live = {}  # key -> the network of that variant that owns the library's state now
_stale_classes = {}  # network class -> its stale twin (see _stale_class)


class StaleNetwork(RuntimeError):
    """A network was used after a newer one of the same variant was built in this process."""


@functools.lru_cache(maxsize=None)
def cpu_target() -> str:
    """The compiler and the code target that ``-march=native`` means here (a short hash)."""
    compiler = "clang++" if sys.platform == "darwin" else "g++"
    try:
        version = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=True).stdout
        target = subprocess.run([compiler, "-march=native", "-Q", "--help=target"],
                                capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        version, target = compiler, ""
    text = "\n".join([platform.machine(), version.splitlines()[0] if version else "", target])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
        target=cpu_target(),
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


def _stale_class(cls):
    """A subclass of ``cls`` whose own public methods (those of the classes above
    ``ann.Network``, which ANNarchy itself keeps calling) raise :class:`StaleNetwork`."""
    if cls not in _stale_classes:
        def refuse(*args, **kwargs):
            raise StaleNetwork(
                f"this {cls.__name__} was replaced by a newer one of the same structure, built later in "
                "this process; networks of one structure share one compiled library, so only the "
                "newest is live. Build it again to use it."
            )
        own = cls.__mro__[: cls.__mro__.index(ann.Network)]
        public = {
            name: refuse
            for klass in own
            for name, value in vars(klass).items()
            if not name.startswith("_") and inspect.isfunction(value)
        }
        _stale_classes[cls] = type(f"Stale{cls.__name__}", (cls,), public)
    return _stale_classes[cls]


def _retire(key):
    """Make the live network of ``key`` (if any) stale."""
    older = _live.pop(key, None)
    if older is not None:
        for monitor in older.get_monitors():
            monitor.pause()  # else they go on recording every step of the newer copies
        older.__class__ = _stale_class(type(older))


def build(cls, *, seed: int, **kwargs) -> ann.Network:
    """A compiled, instantiated ``cls(seed=seed, **kwargs)``, reusing any existing build.

    ``cls`` is an ``ann.Network`` subclass that builds everything in ``__init__`` and sets
    its runtime values in ``on_compiled()``; ``seed`` seeds ANNarchy's C++ generators. An
    older network of the same variant built in this process becomes stale (see above).

    Writes one line per compile call to ``builds.log`` in the variant's folder: ``compiled``
    when the C++ library was (re)built, ``reused`` when it was already there. The network
    gets ``build_event`` (compiled, reused or copied) and ``build_seconds``.
    """
    net = cls(seed=seed, **kwargs)
    key = structure_key(net)
    template = _compiled.get(key)
    if template is None:
        template = net
        folder = cache_root() / key
        template.config(num_threads=1)
        with folder_lock(folder):
            library = _library(folder, template)
            before = library.stat().st_mtime_ns if library.exists() else None
            started = time.perf_counter()
            template.compile(directory=str(folder), silent=True, compiler_flags=COMPILER_FLAGS)
            seconds = time.perf_counter() - started
            after = _library(folder, template).stat().st_mtime_ns
            event = "reused" if before == after else "compiled"
            with open(folder / "builds.log", "a") as log:
                log.write(f"{os.getpid()} {template.id} {event} {seconds:.3f}\n")
        for monitor in template.get_monitors():
            monitor.pause()  # else they record every step of every copy, and nothing reads them
        _compiled[key] = template
    else:
        del net
        event, seconds = "copied", 0.0
    _retire(key)
    started = time.perf_counter()
    net = template.copy(seed=seed, **kwargs)
    net.build_event, net.build_seconds = event, seconds + time.perf_counter() - started
    net.on_compiled()
    _live[key] = net
    return net
