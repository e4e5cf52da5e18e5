"""The CLI entry point."""

from __future__ import annotations

import subprocess
import sys

from collaudo.cli import main


def test_cli_help_and_version_work_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "collaudo", "--help"], capture_output=True, text=True, check=True
    )
    assert "usage: collaudo" in result.stdout
    version = subprocess.run(
        [sys.executable, "-m", "collaudo", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0
    assert version.stdout.startswith("collaudo ")


def test_cli_without_verb_prints_help_and_fails(capsys: object) -> None:
    assert main([]) == 2
