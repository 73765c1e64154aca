"""ann.Network subclasses that wire populations and projections, and the compile cache.

ANNarchy parses the command line when it is imported (and answers ``--help`` with its own
options); it is imported here with the command line hidden, so that the protocols' commands
keep their own ``--help``. ANNarchy's flags can still be set through ``Network.config``.
"""

import sys

_argv, sys.argv = sys.argv, sys.argv[:1]
try:
    import ANNarchy  # noqa: F401
finally:
    sys.argv = _argv
