"""Runs that lose nothing: new folders for repeated runs, whole-folder replacement, failed seeds
as rows, --resume, Dask clusters, and one live network per compiled variant."""

import time

import numpy as np
import pytest

from networks import cache
from networks.reservoir import PRESETS, preset
from protocols import dnms
from protocols.learning import node_perturbation
from protocols.running import configs, runner
from protocols.running.results import read_records
from protocols.tasks.miconi import DNMS

SMALL = ["--preset", "notebook", "--trials", "6", "--quiet"]


def summary_text(folder):
    return (folder / "summary.csv").read_text()


def test_the_quick_start_runs_again_into_a_new_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert dnms.main(SMALL) == 0
    assert dnms.main(SMALL) == 0
    printed = [line.split()[-1] for line in capsys.readouterr().out.splitlines() if line.startswith("results in")]
    assert len(printed) == 2 and printed[0] != printed[1]
    assert sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "results" / "dnms").iterdir()) == sorted(printed)
    for folder in printed:
        assert (tmp_path / folder / "seed-001" / "summary.json").is_file()


def test_overwrite_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "run"
    assert dnms.main(SMALL + ["--seeds", "1-3", "--out", str(out)]) == 0
    assert dnms.main(SMALL + ["--seeds", "4-5", "--out", str(out), "--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "seed-004", "seed-005", "summary.csv"]
    assert list(read_records(out / "summary.csv")["seed"]) == [4, 5]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging folder left


def test_an_existing_folder_is_refused_without_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    assert dnms.main(SMALL + ["--out", str(out)]) == 0
    before = (out / "seed-001" / "trials.csv").read_text()
    with pytest.raises(SystemExit) as exit_info:
        dnms.main(SMALL + ["--seed", "2", "--out", str(out)])
    assert exit_info.value.code == 2
    assert "already holds results; pass --overwrite" in capsys.readouterr().err
    assert (out / "seed-001" / "trials.csv").read_text() == before


def _failing_at(seeds, error):
    """dnms.run, except that the given seeds raise ``error``."""
    original = dnms.run

    def run(config, seed, out, progress=True):
        if seed in seeds:
            raise error
        return original(config, seed, out, progress)

    return run


def test_a_failing_seed_is_one_row_and_the_others_finish(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(dnms, "run", _failing_at({2}, RuntimeError("the data ran out")))
    out = tmp_path / "run"
    assert dnms.main(SMALL + ["--seeds", "1-3", "--out", str(out)]) == 1
    rows = read_records(out / "summary.csv")
    assert list(rows["seed"]) == [1, 2, 3]
    assert list(rows["error"]) == ["", "RuntimeError: the data ran out", ""]
    assert np.isnan(rows["final_error"][1]) and not np.isnan(rows["final_error"][[0, 2]]).any()
    assert sorted(p.name for p in out.glob("seed-*")) == ["seed-001", "seed-003"]
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: 1 of 3 seeds failed (2); summary.csv gives each error; --resume runs them again."]


def test_resume_continues_an_interrupted_run_to_the_same_summary(tmp_path, monkeypatch, capsys):
    whole = tmp_path / "whole"
    assert dnms.main(SMALL + ["--seeds", "1-4", "--out", str(whole)]) == 0
    out = tmp_path / "run"
    ran, original = [], dnms.run
    monkeypatch.setattr(dnms, "run", _failing_at({3}, KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        dnms.main(SMALL + ["--seeds", "1-4", "--out", str(out)])
    assert not out.exists()  # nothing under the final name until every seed has ended

    def counted(config, seed, out, progress=True):
        ran.append(seed)
        return original(config, seed, out, progress)

    monkeypatch.setattr(dnms, "run", counted)
    with pytest.raises(SystemExit) as exit_info:  # other settings than the interrupted run's
        dnms.main(SMALL + ["--seeds", "1-4", "--trials", "7", "--out", str(out), "--resume"])
    assert exit_info.value.code == 2
    assert "had other settings (trials)" in capsys.readouterr().err
    assert dnms.main(SMALL + ["--seeds", "1-4", "--out", str(out), "--resume"]) == 0
    assert ran == [3, 4]
    assert summary_text(out) == summary_text(whole)
    for seed in range(1, 5):
        name = f"seed-{seed:03d}/trials.csv"
        assert (out / name).read_text() == (whole / name).read_text()


def test_resume_reruns_only_the_failed_seeds_of_a_finished_run(tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setattr(dnms, "run", _failing_at({1, 3}, RuntimeError("flaky")))
    assert dnms.main(SMALL + ["--seeds", "1-3", "--out", str(out)]) == 1
    monkeypatch.undo()
    assert dnms.main(SMALL + ["--seeds", "1-3", "--out", str(out), "--resume"]) == 0
    whole = tmp_path / "whole"
    assert dnms.main(SMALL + ["--seeds", "1-3", "--out", str(whole)]) == 0
    assert summary_text(out) == summary_text(whole)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seeds", "1-x"], "is not a list like 7, 1-20 or 1,4,9-11"),
        (["--seeds", "1-2", "--cluster", "local:0"], "local:K needs a whole number of workers K >= 1"),
        (["--seeds", "1-2", "--cluster", "local:2", "--jobs", "2"], "give one of them"),
        (["--seeds", "1-2", "--resume", "--overwrite"], "give one of them"),
    ],
)
def test_bad_run_options_are_one_clear_error(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        dnms.main(SMALL + args + ["--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_local_dask_cluster_gives_the_summary_of_a_process_pool(tmp_path, capsys):
    pytest.importorskip("distributed")
    seeds = ["--seeds", "1-4", "--trials", "40"]
    timed = {}
    for name, workers in (("pool", ["--jobs", "2"]), ("dask", ["--cluster", "local:2"])):
        started = time.perf_counter()
        assert dnms.main(SMALL + seeds + workers + ["--out", str(tmp_path / name)]) == 0
        timed[name] = time.perf_counter() - started
    assert summary_text(tmp_path / "dask") == summary_text(tmp_path / "pool")
    for seed in range(1, 5):
        name = f"seed-{seed:03d}/trials.csv"
        assert (tmp_path / "dask" / name).read_text() == (tmp_path / "pool" / name).read_text()
    with capsys.disabled():
        print(f"\n4 DNMS seeds: --jobs 2 {timed['pool']:.1f} s, --cluster local:2 {timed['dask']:.1f} s")


def test_one_seed_runs_in_a_worker_or_on_a_cluster_alike(tmp_path):
    pytest.importorskip("distributed")
    for name, workers in (("here", []), ("worker", ["--jobs", "2"]), ("dask", ["--cluster", "local:1"])):
        assert dnms.main(SMALL + ["--seed", "3", *workers, "--out", str(tmp_path / name)]) == 0
    here = (tmp_path / "here" / "seed-003" / "trials.csv").read_text()
    assert (tmp_path / "worker" / "seed-003" / "trials.csv").read_text() == here
    assert (tmp_path / "dask" / "seed-003" / "trials.csv").read_text() == here


def test_a_dask_worker_that_dies_loses_only_its_seed(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    import dask

    from tests import dying_worker

    out = tmp_path / "run"
    config = dnms.make_config(dnms_args())
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
            with distributed.Client(cluster) as client:
                rows = runner.run_seeds(dying_worker.run, config, [1, 2, 3], out,
                                        executor=client.get_executor(), progress=False)
    assert [row["seed"] for row in rows] == [1, 2, 3]
    assert "KilledWorker" in rows[1]["error"]
    assert "error" not in rows[0] and "error" not in rows[2]
    assert (out / "seed-001" / "summary.json").is_file() and (out / "seed-003" / "summary.json").is_file()
    assert read_records(out / "summary.csv")["error"][1].startswith("KilledWorker")


def test_a_worker_process_that_dies_loses_only_its_seed(tmp_path):
    from tests import dying_worker

    config = dnms.make_config(dnms_args())
    with runner.executor(jobs=2) as pool:
        rows = runner.run_seeds(dying_worker.run, config, [1, 2, 3, 4], tmp_path / "run", executor=pool, progress=False)
    assert rows[1] == {"seed": 2, "error": "WorkerDied: its worker process died"}
    assert all("error" not in row for row in rows[:1] + rows[2:])
    assert sorted(p.name for p in (tmp_path / "run").glob("seed-*")) == ["seed-001", "seed-003", "seed-004"]


def test_cores_are_shared_out_disjoint_and_whole(monkeypatch):
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 6, 7}, raising=False)
    assert runner.core_shares(3) == [[0, 1, 2], [3, 4], [6, 7]]
    assert runner.core_shares(7) == [[c] for c in (0, 1, 2, 3, 4, 6, 7)]
    assert runner.core_shares(8) is None  # more jobs than cores: no pinning
    monkeypatch.delattr(runner.os, "sched_getaffinity", raising=False)
    assert runner.core_shares(2) is None  # a system that cannot pin


def _cores(_):
    return sorted(runner.os.sched_getaffinity(0))


@pytest.mark.skipif(runner.core_shares(2) is None, reason="fewer than 2 cores, or no pinning here")
def test_each_worker_runs_on_its_own_share_of_the_cores():
    with runner.WorkerPool(2) as pool:
        seen = {tuple(cores) for cores in pool.map(_cores, range(8))}
    assert seen == {tuple(share) for share in runner.core_shares(2)}
    with runner.WorkerPool(2, pin=False) as pool:
        assert {tuple(cores) for cores in pool.map(_cores, range(4))} == {tuple(_cores(None))}


def dnms_args():
    """The parsed options of ``dnms.py`` with SMALL."""
    parser = runner.base_parser("", PRESETS, 6, "results/dnms")
    for flag, options in configs.RESERVOIR_OPTIONS:
        parser.add_argument(flag, **options)
    return parser.parse_args(SMALL)


def _network(seed):
    return node_perturbation.build_network(preset("notebook"), DNMS(), seed)


def _errors(net, seed, trials=3):
    task, rng = DNMS(), np.random.default_rng([seed, 1])
    return [node_perturbation.run_trial(net, task.new_trial(rng, task.trial_type(k)), rng)[1] for k in range(trials)]


def test_only_the_newest_network_of_a_variant_is_live():
    first = _network(1)
    played = _errors(first, 1)
    second = _network(2)
    with pytest.raises(cache.StaleNetwork, match="replaced by a newer one of the same structure"):
        first.start_trial(np.zeros(200))
    assert _errors(second, 2) != played
    again = _network(1)  # a rebuilt network plays what the first one played
    assert _errors(again, 1) == played
    with pytest.raises(cache.StaleNetwork):
        second.run_trial(np.zeros((10, 2)))


def test_the_cache_key_holds_the_cpu_target(monkeypatch):
    net = _network(1)
    key = cache.structure_key(net)
    monkeypatch.setattr(cache, "cpu_target", lambda: "another-cpu")
    assert cache.structure_key(net) != key
    assert "-march=native" in cache.COMPILER_FLAGS


def test_a_cluster_that_does_not_answer_is_one_clear_error(tmp_path, capsys):
    pytest.importorskip("distributed")
    with pytest.raises(SystemExit) as exit_info:
        dnms.main(SMALL + ["--seeds", "1-2", "--cluster", "tcp://127.0.0.1:9", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--cluster 'tcp://127.0.0.1:9': no Dask scheduler answered" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_summary_with_the_failure_column_is_refused_not_taken_for_a_failure(tmp_path):
    def run(config, seed, folder, progress=True):
        folder.mkdir()
        return {"seed": seed, "error": 0.25}  # e.g. a task's mean error named "error"

    rows = runner.run_jobs(run, {}, {"seed-001": 1}, tmp_path / "run", progress=False)
    assert rows[0]["error"].startswith("ValueError: a job's summary has a column 'error'")
