"""The CLI imports only the module of the verb it runs; help and mistakes still list every verb."""

from __future__ import annotations

import subprocess
import sys

import pytest

from collaudo.cli import _named_verb, build_parser, main


@pytest.mark.parametrize(
    ("argv", "verb"),
    [
        (["run", "--target", "sim-gpd"], "run"),
        (["--lang", "en", "doctor", "--config", "x.toml"], "doctor"),
        (["--lang=en", "vendor-report", "--help"], "vendor_report"),
        (["import-csv", "file.csv"], "import_csv"),
        (["--help"], None),
        (["--version"], None),
        ([], None),
        (["nonesuch"], None),
        (["_progress"], None),  # a private module is no verb
    ],
)
def test_the_verb_named_on_the_command_line(argv: list[str], verb: str | None) -> None:
    assert _named_verb(argv) == verb


def test_a_verb_alone_parses_as_with_every_verb() -> None:
    argv = ["--lang", "en", "run", "--target", "sim-gpd", "-n", "0"]
    alone, every = build_parser("run").parse_args(argv), build_parser().parse_args(argv)
    assert vars(alone) == vars(every)
    assert alone.lang == "en" and alone.target == ["sim-gpd"]


def test_a_word_that_is_no_verb_lists_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["nonesuch"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    for verb in ("run", "doctor", "vendor-report", "import-csv", "contracts"):
        assert f"'{verb}'" in error, error


def test_running_a_verb_imports_none_of_the_simulators() -> None:
    # `collaudo doctor` runs inside network namespaces in the collaudo suite: its start-up
    # is paid per scenario (every simulator and driver imported cost ~1.3 CPU-s more).
    code = (
        "import sys; from collaudo.cli import main\n"
        "try:\n    main(['doctor', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('simulators.', 'collaudo.stack',"
        " 'collaudo.commands.'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.strip().splitlines()[-1]
    assert "collaudo.commands.doctor" in loaded, loaded
    assert "collaudo.commands.run" not in loaded, loaded
    assert "collaudo.stack" not in loaded and "simulators." not in loaded, loaded
