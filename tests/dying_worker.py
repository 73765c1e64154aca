"""A DNMS run whose seed 2 kills the worker process that runs it (for the Dask test)."""

import os

from protocols import dnms


def run(config, seed, out, progress=True):
    if seed == 2:
        os._exit(1)
    return dnms.run(config, seed, out, progress)
