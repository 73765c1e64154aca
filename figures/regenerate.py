"""Regenerate every figure of every results folder under RESULTS, from the saved files only.

    python figures/regenerate.py results            # or: plasticnets figures results

A results folder is a run of one protocol: one seed (config.json, trials.csv, ...) or many
(seed-*/ and summary.csv). Each gets its figures as PNG and SVG in its own figures/ folder,
drawn by the protocol's figure script (figures/dnms.py, figures/selective_integration.py,
figures/augment.py for 12AX, saccade/antisaccade, sequence prediction and tXOR,
figures/image_association.py, figures/orhan_ma.py, figures/orhan_perturbation.py, figures/babi.py). Image-association runs are drawn per folder that holds them
(accuracy against the delay D needs the runs of every D, e.g. results/image_association/d*/).
"""

import argparse
from pathlib import Path

from figures import augment, babi, common, dnms, image_association, orhan_ma, orhan_perturbation, selective_integration
from protocols.running.results import read_json

PER_FOLDER = {"dnms": dnms.figures, "selective_integration": selective_integration.figures,
              orhan_perturbation.PROTOCOL: orhan_perturbation.figures}
AUGMENT = ("twelve_ax", "saccade", "sequence_prediction", "txor")


def results_folders(root) -> list:
    """The results folders under ``root`` (itself included), outermost only: a folder with
    config.json, or with summary.csv beside seed-*/ folders; none inside ``.partial``."""
    found = []
    for path in sorted([Path(root), *Path(root).rglob("*")]):
        if not path.is_dir() or any(part.endswith(".partial") for part in path.parts):
            continue
        if any(path.is_relative_to(folder) for folder in found):
            continue
        if (path / "config.json").is_file() or (path / "summary.csv").is_file():
            found.append(path)
    return found


def protocol_of(folder) -> str:
    config = folder / "config.json"
    if not config.is_file():
        config = common.run_folders(folder)[0] / "config.json"
    return read_json(config).get("protocol")


def regenerate(root) -> list:
    """Draw the figures of every results folder under ``root``; return the written files."""
    written, associations = [], {}
    for folder in results_folders(root):
        protocol = protocol_of(folder)
        if protocol in PER_FOLDER:
            figures = PER_FOLDER[protocol](common.run_folders(folder))
        elif protocol in AUGMENT:
            figures = augment.figures([augment.load(folder)])
        elif protocol == orhan_ma.PROTOCOL:
            figures = orhan_ma.figures(folder)
        elif protocol == babi.PROTOCOL:
            figures = babi.figures(folder)
        elif protocol == image_association.PROTOCOL:
            parent = folder.parent if folder != Path(root) else folder
            associations.setdefault(parent, []).append(folder)
            continue
        else:
            raise ValueError(f"{folder} holds {protocol!r} results, for which there is no figure.")
        written += [path for name, fig in figures for path in common.save(fig, folder / "figures", name)]
    for parent, folders in sorted(associations.items()):
        found = [run for folder in folders for run in image_association.runs(folder)]
        written += common.save(image_association.accuracy_figure(found), parent / "figures", "accuracy_vs_delay")
    return written


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", help="a results folder, or a folder holding many")
    args = parser.parse_args(argv)
    try:
        if not Path(args.results).is_dir():
            raise ValueError(f"{args.results} is not a folder.")
        written = regenerate(args.results)
        if not written:
            raise ValueError(f"{args.results} holds no results folder (no config.json or summary.csv below it).")
    except (ValueError, OSError) as error:
        parser.error(str(error))
    folders = sorted({str(path.parent) for path in written})
    print(f"{len(written)} files in {len(folders)} folders: {', '.join(folders)}")
    return written


if __name__ == "__main__":
    main()
