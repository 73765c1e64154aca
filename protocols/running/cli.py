"""The console script ``plasticnets``: every protocol's command, the list of them, and the
figures of saved results.

    plasticnets list                       # the protocols, one line each
    plasticnets dnms --seeds 1-20 --jobs 2 # the same as python protocols/dnms.py --seeds ...
    plasticnets figures results            # every figure of every results folder below

A new protocol is one module ``protocols/NAME.py`` with a ``main(argv)``, registered in
:data:`COMMANDS`.
"""

import importlib
import sys

COMMANDS = {
    "dnms": "protocols.dnms",
    "selective-integration": "protocols.selective_integration",
    "twelve-ax": "protocols.twelve_ax",
    "saccade": "protocols.saccade",
    "sequence-prediction": "protocols.sequence_prediction",
    "txor": "protocols.txor",
    "image-association": "protocols.image_association",
    "orhan-ma": "protocols.orhan_ma",
    "orhan-perturbation": "protocols.orhan_perturbation",
    "babi": "protocols.babi",
}
"""Command name -> module with ``main(argv)``; ``python protocols/<module>.py`` runs it too."""

USAGE = f"""usage: plasticnets COMMAND [options]

commands: {', '.join(COMMANDS)}
          list (the protocols, one line each), figures RESULTS (regenerate every figure)
plasticnets COMMAND --help shows a command's options."""


def command(name: str):
    """The module of the command ``name`` (underscores or dashes)."""
    key = name.replace("_", "-")
    if key not in COMMANDS:
        raise KeyError(name)
    return importlib.import_module(COMMANDS[key])


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    name, rest = argv[0], argv[1:]
    if name == "list":
        for key in COMMANDS:
            print(f"{key:22} {command(key).__doc__.strip().splitlines()[0]}")
        return 0
    if name == "figures":
        from figures import regenerate

        regenerate.main(rest)
        return 0
    try:
        module = command(name)
    except KeyError:
        print(f"{USAGE}\nplasticnets: error: unknown command {name!r}; choose one of "
              f"{', '.join([*COMMANDS, 'list', 'figures'])}.", file=sys.stderr)
        return 2
    return module.main(rest)


if __name__ == "__main__":
    sys.exit(main())
