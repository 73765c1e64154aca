"""The console script: every protocol registered and reachable, the list, and one figure
command over a folder holding results of several protocols."""

from pathlib import Path

import pytest

from protocols.running import cli

ROOT = Path(__file__).resolve().parents[1]


def test_every_protocol_command_is_registered():
    scripts = {p.stem for p in (ROOT / "protocols").glob("*.py") if "def main(" in p.read_text()}
    assert {module.split(".")[1] for module in cli.COMMANDS.values()} == scripts


def test_list_names_every_command(capsys):
    assert cli.main(["list"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("ANNarchy ")]
    assert [line.split()[0] for line in lines] == list(cli.COMMANDS)


def test_an_unknown_command_is_one_clear_error(capsys):
    assert cli.main(["dmns"]) == 2
    assert "unknown command 'dmns'; choose one of dnms," in capsys.readouterr().err


def test_commands_run_and_one_command_draws_every_figure(tmp_path, capsys):
    runs = tmp_path / "results"
    quick = ["--quiet", "--out"]
    assert cli.main(["dnms", "--preset", "notebook", "--trials", "8", "--seeds", "1-2", *quick, str(runs / "dnms")]) == 0
    assert cli.main(["txor", "--max-trials", "30", *quick, str(runs / "txor")]) == 0
    assert cli.main(["sequence_prediction", "--max-trials", "20", *quick, str(runs / "seq")]) == 0
    small = ["--sequences", "20", "--test-sequences", "10", "--encoder-frames", "200", "--network", "hmem"]
    for delay in (0, 2):
        out = runs / "ia" / f"d{delay}"
        assert cli.main(["image-association", *small, "--delay", str(delay), *quick, str(out)]) == 0
    capsys.readouterr()
    assert cli.main(["figures", str(runs)]) == 0
    drawn = sorted(str(p.relative_to(runs)) for p in runs.rglob("*.png"))
    assert drawn == [
        "dnms/figures/criterion.png", "dnms/figures/learning.png", "dnms/figures/traces.png",
        "ia/figures/accuracy_vs_delay.png", "seq/figures/distractors.png", "txor/figures/txor.png",
    ]
    assert len(list(runs.rglob("*.svg"))) == len(drawn)


def test_figures_of_a_folder_without_results_is_one_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["figures", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "holds no results folder" in capsys.readouterr().err
