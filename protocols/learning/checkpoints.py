"""Checkpoints of a gradient training: a pytree of arrays and a JSON description in one npz.

A checkpoint is written under a temporary name and renamed (an interrupted write leaves the
previous checkpoint whole). It carries an ``identity``, the JSON of what the training must
match to continue from it; a checkpoint of another training is refused with one sentence.
"""

import json
import os
from pathlib import Path

import jax
import numpy as np


def beside(folder, name: str) -> Path:
    """The checkpoint file ``name`` of a run whose result goes to ``folder``: in the run's
    ``checkpoints/`` folder, which a resumed run takes over."""
    return Path(folder).parent / "checkpoints" / f"{name}.npz"


def save(path, identity: str, tree, **meta):
    """Write the leaves of ``tree`` (in :func:`jax.tree_util.tree_leaves` order), ``identity``
    and the JSON-able ``meta`` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    leaves = {f"leaf{i}": np.asarray(x) for i, x in enumerate(jax.tree_util.tree_leaves(tree))}
    np.savez(partial, meta=json.dumps({"identity": identity, **meta}), **leaves)
    os.replace(partial, path)


def load(path, identity: str, like):
    """(the tree shaped as ``like``, with numpy leaves; the meta) of the checkpoint at ``path``."""
    saved = np.load(path)
    meta = json.loads(str(saved["meta"]))
    if meta.pop("identity") != identity:
        raise ValueError(f"the checkpoint {path} belongs to another training; delete it or start afresh.")
    structure = jax.tree_util.tree_structure(like)
    return jax.tree_util.tree_unflatten(structure, [saved[f"leaf{i}"] for i in range(structure.num_leaves)]), meta


def discard(path):
    """Remove the checkpoint at ``path``, and its folder once it is empty."""
    path = Path(path)
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:  # other checkpoints remain, or the folder is gone
        pass
