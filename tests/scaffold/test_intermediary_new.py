"""``collaudo intermediary new`` end to end, in a temporary copy of the repository (nothing is
left in the checkout): the generated GPD-contract driver passes ruff, mypy --strict, the
architecture test and its own conformance tests, and ``collaudo run --target sim-demo``
ends with passed and ``non implementato`` scenarios and no failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulators.common.contracts import find

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GPD = find("pagopa/openapi/gpd.json")
RECEIPTS = find("pagopa/openapi/gpd_payments.json")
pytestmark = pytest.mark.skipif(
    GPD is None or RECEIPTS is None,
    reason="the official GPD contracts (gpd.json, gpd_payments.json) are absent: run "
    "`collaudo contracts fetch` or set COLLAUDO_CONTRACTS_DIR",
)
_SKIP = {".git", ".venv", ".collaudo", "reports", "__pycache__", ".mypy_cache", ".ruff_cache"}


def _copy(target: Path) -> Path:
    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in _SKIP or n.endswith(".pyc")}

    shutil.copytree(REPO, target, ignore=ignore)
    return target


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("COLLAUDO_API_TOKEN", None)
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _copy(tmp_path_factory.mktemp("scaffold") / "repo")
    done = _run(
        [
            sys.executable,
            "-m",
            "collaudo",
            "intermediary",
            "new",
            "demo",
            "--contract",
            str(GPD),
            "--contract",
            str(RECEIPTS),
        ],
        root,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "create_debt_position   POST /organizations/" in done.stdout
    assert "notice_pdf             non implementato" in done.stdout
    return root


def test_nothing_is_written_into_the_repository(checkout: Path) -> None:
    assert not (REPO / "adapters" / "drivers" / "demo").exists()
    assert (checkout / "adapters" / "drivers" / "demo" / "driver.py").is_file()
    assert "[targets.sim-demo]" in (checkout / "collaudo.toml").read_text(encoding="utf-8")


def test_the_generated_code_passes_ruff_mypy_and_the_architecture_test(checkout: Path) -> None:
    package = ["adapters/drivers/demo", "tests/drivers/demo"]
    ruff = _run([str(BIN / "ruff"), "check", *package], checkout)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    formatted = _run([str(BIN / "ruff"), "format", "--check", *package], checkout)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    mypy = _run(
        [str(BIN / "mypy"), "--strict", "--follow-imports=silent", "--no-incremental", *package],
        checkout,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    tests = ["tests/test_architecture.py", "tests/drivers/demo"]
    pytest_run = _run(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", *tests],
        checkout,
    )
    assert pytest_run.returncode == 0, pytest_run.stdout[-3000:] + pytest_run.stderr[-2000:]
    assert " passed" in pytest_run.stdout


def test_the_driver_is_found_by_name_and_a_second_new_is_refused(checkout: Path) -> None:
    probe = _run(
        [
            sys.executable,
            "-c",
            "from adapters.api.drivers import load_driver; s = load_driver('demo'); "
            "print(s.name, sorted(s.extra['missing']), [f.key for f in s.fields])",
        ],
        checkout,
    )
    assert probe.returncode == 0, probe.stderr
    assert "demo ['checkout_url', 'notice_pdf']" in probe.stdout
    assert "demo_gpd_url" in probe.stdout and "demo_api_key_env" in probe.stdout
    again = _run(
        [sys.executable, "-m", "collaudo", "intermediary", "new", "demo", "--contract", str(GPD)],
        checkout,
    )
    assert again.returncode == 2 and "--force" in again.stderr
    bad = _run(
        [sys.executable, "-m", "collaudo", "intermediary", "new", "2x", "--contract", str(GPD)],
        checkout,
    )
    assert bad.returncode == 2 and "Python identifier" in bad.stderr
    taken = _run(
        [sys.executable, "-m", "collaudo", "intermediary", "new", "gpd", "--contract", str(GPD)],
        checkout,
    )
    assert taken.returncode == 2 and "choose another name" in taken.stderr


def test_run_on_sim_demo_shows_passed_and_not_implemented_and_no_failure(checkout: Path) -> None:
    tags = "not browser"  # the whole suite but the scenarios that drive a real browser
    done = _run(
        [sys.executable, "-m", "collaudo", "run", "--target", "sim-demo", "--tags", tags]
        + ["-n", "0"],
        checkout,
    )
    out = done.stdout
    assert done.returncode == 3, out[-4000:] + done.stderr[-2000:]
    assert "falliti 0" in out and "INCOMPLETO" in out  # the run speaks Italian by default
    assert "non implementato: checkout_url" in out
    assert "non implementato: notice_pdf" in out
    assert "non impl.)" in out  # the table's cells
    passed = int(out.split("INCOMPLETO: passati ", 1)[1].split(",", 1)[0])
    assert passed >= 20
    summary = (checkout / "reports" / "summary.md").read_text(encoding="utf-8")
    assert "# Collaudo: INCOMPLETO" in summary and "non implementato: checkout_url" in summary
    junit = (checkout / "reports" / "junit.xml").read_text(encoding="utf-8")
    assert 'message="non implementato: checkout_url"' in junit
    assert "<failure" not in junit and "<error" not in junit
    allure = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in (checkout / "reports" / "allure-results").glob("*-result.json")
    ]
    missing = [r for r in allure if "non implementato" in str(r.get("statusDetails"))]
    assert missing and all(r["status"] == "skipped" for r in missing)
    assert not [r for r in allure if r["status"] in ("failed", "broken")]
