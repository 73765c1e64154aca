"""Train H-Mem on bAbI question answering end to end by BPTT; answer through the ANNarchy memory.

    python protocols/babi.py --task 1                       # bAbI-style task 1, 10k, seed 1
    python protocols/babi.py --task all --seeds 1-3 --jobs 3  # the 20 tasks, the paper's 3 runs
    python protocols/babi.py --task 16 --read-before-write --epochs 250
    python protocols/babi.py --task 1-20 --data ~/tasks_1-20_v1-2 --train-size 10k   # real files

Source: Limbacher T., Legenstein R. (2020) H-Mem, NeurIPS 33; Weston et al. (2015) bAbI v1.2,
CC BY 3.0 (shared/specs/babi.md). One model per task and seed, trained in the JAX twin and
tested with its memory in ANNarchy. Without --data the stories come from the library's
generator and results are "bAbI-style", never "bAbI". The paper reports per task the best of
3 runs by validation accuracy: `python figures/babi.py OUT` gives that and the median.
"""

import dataclasses
import sys

from networks import hebbian_memory_twin as twin
from protocols.data.babi import TASK_NAMES, folder_of
from protocols.learning import babi
from protocols.running import results, runner


def _tasks(text) -> list:
    if text == "all":
        return list(TASK_NAMES)
    try:
        tasks = runner.parse_seeds(text)
    except ValueError:
        tasks = None
    if not tasks or not set(tasks) <= set(TASK_NAMES):
        raise ValueError(f"--task {text!r} must name tasks 1 to 20: 16, 1,16, 1-20 or all.")
    return tasks


def make_config(args) -> dict:
    training = dataclasses.replace(babi.PRESETS[args.preset], epochs=args.trials,
                                   read_before_write=args.read_before_write,
                                   kernel=args.kernel or twin.default_kernel()).validate()
    if args.sentences is not None and args.sentences < 1:
        raise ValueError(f"--sentences must be at least 1, got {args.sentences}.")
    if args.data:
        folder_of(args.data, {"1k": "en", "10k": "en-10k"}[args.train_size])  # one sentence if not bAbI
    return {
        "protocol": "babi",
        "preset": args.preset,
        "tasks": _tasks(args.task),
        "data": str(args.data) if args.data else None,
        "data_seed": args.data_seed,
        "train_size": args.train_size,
        "sentences": args.sentences,
        "training": dataclasses.asdict(training),
        "versions": results.versions(),
    }


def jobs(config, seeds) -> dict:
    return {f"task-{task:02d}-seed-{seed:03d}": {"task": task, "seed": seed} for task in config["tasks"] for seed in seeds}


OPTIONS = [
    ("--task", dict(default="1", help="a task 1-20, a list (1,16), a range (1-20) or all (default 1)")),
    ("--data", dict(metavar="PATH", help="the real bAbI v1.2 files: tasks_1-20_v1-2/ or one of its folders "
                    "(default: bAbI-style stories from the library's generator)")),
    ("--train-size", dict(default="10k", choices=["1k", "10k"], help="training questions per task (default 10k)")),
    ("--data-seed", dict(type=int, default=0, help="seed of the generated stories (default 0)")),
    ("--read-before-write", dict(action="store_true", help="the paper's extension: read the memory before "
                                 "each write and store a learned function of both (the paper: 250 epochs)")),
    ("--sentences", dict(type=int, help="keep at most the latest N statements of a story (default: all)")),
    ("--kernel", dict(choices=twin.KERNELS, help="the base model's writes: native (compiled loops, the default "
                      "on a CPU) or jax (the XLA scan, the default on a GPU); equal to float32 rounding")),
]


def main(argv=None):
    return runner.main(
        argv,
        description=__doc__.split("\n")[0],
        presets=babi.PRESETS,
        default_trials=babi.Training.epochs,
        default_out="results/babi",
        default_preset="limbacher2020",
        make_config=make_config,
        run=babi.run,
        jobs=jobs,
        label=babi.label,
        report=babi.report,
        extra_options=OPTIONS,
        trials_flags=("--epochs",),
        trials_help="training epochs (the paper's 100; 250 with read-before-write)",
    )


if __name__ == "__main__":
    sys.exit(main())
