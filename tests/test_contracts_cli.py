"""``collaudo contracts status|fetch|verify``: where each file is, getting the pinned ones
from a mirror (a local HTTP server serving a copy: no test reaches outside the machine),
and what a file that differs from the lock looks like."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from collaudo.cli import main
from collaudo.contracts_fetch import fetch, source_url
from simulators.common import contract_lock, contracts
from tests.contracts_env import needs_official

ALL = tuple(contract_lock.pins())
WSDL = contracts.MYPAY_WSDL
Isolate = Callable[..., dict[str, Path]]
needs_all = needs_official(*ALL)


def rows(output: str) -> dict[str, tuple[str, str]]:
    """The status table as {file: (found, sha256 state)}."""
    table: dict[str, tuple[str, str]] = {}
    for line in output.splitlines():
        cells = [c for c in line.split("  ") if c.strip()]
        if len(cells) == 3 and cells[0].strip() in ALL:
            table[cells[0].strip()] = (cells[1].strip(), cells[2].strip())
    return table


def official_copy(destination: Path) -> Path:
    """A copy of every official file found, in the contracts folder's layout."""
    for relative in ALL:
        source = contracts.find_official(relative)
        assert source is not None
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination / relative)
    return destination


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server serving a copy of the official files: (base URL, its folder)."""
    folder = official_copy(tmp_path / "mirror")
    # served under a path too, as a mirror's base URL usually is
    (folder / "contracts-mirror").symlink_to(folder, target_is_directory=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/contracts-mirror", folder
    finally:
        server.shutdown()
        server.server_close()


def test_every_pinned_file_is_downloaded_from_its_commit_or_the_mirror() -> None:
    pin = contract_lock.pin(WSDL)
    assert pin is not None
    assert source_url(pin, None) == (
        "https://raw.githubusercontent.com/RegioneDelVeneto/mypay/"
        f"{pin.commit}/mypay.sources/mypay4-be/src/main/resources/wsdl/pa/pa-per-ente.wsdl"
    )
    assert source_url(pin, "http://m.example/c/") == f"http://m.example/c/{WSDL}"


@needs_all
def test_status_shows_every_official_file_verified(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "status"]) == 0
    out = capsys.readouterr().out
    assert {state for _, state in rows(out).values()} == {"verified"}
    assert set(rows(out)) == set(ALL)
    assert "looked for, per file, in this order" in out
    assert main(["contracts", "verify"]) == 0


@needs_all
def test_fetch_from_a_mirror_fills_an_empty_cache_that_then_verifies(
    isolated_contracts: Isolate, mirror: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, folder = mirror
    places = isolated_contracts()
    assert main(["contracts", "verify"]) == 0  # nothing in use: nothing differs
    assert "not in use" in capsys.readouterr().out

    assert main(["contracts", "fetch", "--from", base]) == 0
    out = capsys.readouterr().out
    assert f"[1/{len(ALL)}]" in out and f"{len(ALL)} fetched" in out
    for relative in ALL:
        assert (places["cache"] / relative).read_bytes() == (folder / relative).read_bytes()

    assert main(["contracts", "status"]) == 0
    assert set(rows(capsys.readouterr().out).values()) == {("user cache", "verified")}
    assert main(["contracts", "verify"]) == 0
    assert main(["contracts", "fetch", "--from", base]) == 0  # nothing to download again
    assert f"{len(ALL)} already in the cache" in capsys.readouterr().out


@needs_all
def test_fetch_refuses_a_file_that_is_not_the_pinned_one_and_writes_nothing_of_it(
    isolated_contracts: Isolate, mirror: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, folder = mirror
    (folder / WSDL).write_bytes((folder / WSDL).read_bytes().replace(b"paaSIL", b"paaSIX", 1))
    (folder / contracts.GPD_JSON).unlink()
    places = isolated_contracts()

    assert main(["contracts", "fetch", "--from", base]) == 1
    captured = capsys.readouterr()
    assert f"refused {WSDL}: sha256" in captured.err and "nothing written" in captured.err
    assert f"refused {contracts.GPD_JSON}: HTTP 404" in captured.err
    assert (
        not (places["cache"] / WSDL).exists()
        and not (places["cache"] / contracts.GPD_JSON).exists()
    )
    assert not list(places["cache"].rglob(".*"))  # no temporary file left behind
    assert (places["cache"] / contracts.MYPAY_DOCUMENTS_XSD).is_file()  # the rest verified


def test_fetch_offline_says_so_in_one_line_and_fails(
    isolated_contracts: Isolate, capsys: pytest.CaptureFixture[str]
) -> None:
    places = isolated_contracts()
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["contracts", "fetch", "--from", f"http://127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "offline" in err[0] and f"127.0.0.1:{port}" in err[0]
    assert not any(p.is_file() for p in places["cache"].rglob("*"))


def test_status_names_missing_files_and_the_remedy(
    isolated_contracts: Isolate, capsys: pytest.CaptureFixture[str]
) -> None:
    isolated_contracts()
    assert main(["contracts", "status"]) == 0
    out = capsys.readouterr().out
    assert set(rows(out).values()) == {("missing", "missing")}
    assert "collaudo contracts fetch" in out


@needs_all
def test_a_file_that_differs_from_the_lock_is_reported_by_status_and_verify(
    isolated_contracts: Isolate, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = official_copy(tmp_path / "modified")
    (copy / WSDL).write_bytes((copy / WSDL).read_bytes() + b"\n<!-- a newer version -->\n")
    isolated_contracts(explicit=copy)

    assert main(["contracts", "status"]) == 0
    out = capsys.readouterr().out
    table = rows(out)
    assert table[WSDL] == (f"${contracts.ENV_VAR}", "differs")
    assert {state for name, (_, state) in table.items() if name != WSDL} == {"verified"}
    assert "collaudo drift" in out and "update the lock" in out

    assert main(["contracts", "verify"]) == 1
    captured = capsys.readouterr()
    assert f"differs: {WSDL} at {copy / WSDL}" in captured.out
    assert "collaudo drift" in captured.err


def test_a_pin_on_an_unknown_host_is_refused_with_what_to_do(isolated_contracts: Isolate) -> None:
    isolated_contracts()
    pin = contract_lock.Pin(
        "mypay/x.xsd", "https://git.example/org/repo", "a" * 40, "x.xsd", "0" * 64, 1, "MIT", ()
    )
    result = fetch([pin])
    assert result.refused == [
        ("mypay/x.xsd", "no raw-file address known for https://git.example/org/repo: "
         "use --from BASE_URL")
    ]  # fmt: skip


@needs_all
def test_an_unwritable_cache_is_refused_with_what_to_do(
    isolated_contracts: Isolate,
    mirror: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, _ = mirror
    isolated_contracts()
    not_a_folder = tmp_path / "cache-is-a-file"
    not_a_folder.write_text("")
    monkeypatch.setenv(contracts.CACHE_ENV, str(not_a_folder))
    result = fetch(base_url=base)
    assert not result.fetched and len(result.refused) == len(ALL)
    assert all("set COLLAUDO_CACHE_DIR to a writable folder" in why for _, why in result.refused)
