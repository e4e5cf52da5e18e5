"""Launching Debian's Chromium, the loopback-only contexts, and installing form.io."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, Error

from collaudo.browser import (
    CHROMIUM_ARGS,
    BrowserUnavailable,
    Screenshots,
    chromium_missing_reason,
    is_loopback,
    launch_chromium,
    new_context,
)
from collaudo.browser import chromium as chromium_module
from collaudo.browser.chromium import BEYOND_LOOPBACK
from collaudo.formio.install import FormioMissing, ensure_formio, find_formio


def test_a_missing_chromium_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLAUDO_CHROMIUM", "/nonexistent/chromium")
    reason = chromium_missing_reason()
    assert reason is not None
    assert "/nonexistent/chromium" in reason
    assert "apt-get install -y chromium" in reason


async def test_launching_a_missing_chromium_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLAUDO_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(BrowserUnavailable, match="apt-get install -y chromium"):
        async with launch_chromium():
            pass


def _program(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_the_headless_shell_is_preferred_for_headless_runs_where_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLLAUDO_CHROMIUM", raising=False)
    full = _program(tmp_path / "chromium")
    shell = tmp_path / "chromium-headless-shell"
    monkeypatch.setattr(chromium_module, "DEFAULT_CHROMIUM", str(full))
    monkeypatch.setattr(chromium_module, "HEADLESS_SHELL", str(shell))
    assert chromium_module.chromium_path() == full  # the shell is not installed: the full browser

    _program(shell)
    assert chromium_module.chromium_path() == shell
    assert chromium_module.chromium_path(headless=False) == full  # a window needs the full browser
    assert chromium_missing_reason() is None

    monkeypatch.setenv("COLLAUDO_CHROMIUM", str(full))  # the user's choice wins
    assert chromium_module.chromium_path() == full


def test_the_flags_this_machine_needs() -> None:
    for flag in ("--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"):
        assert flag in CHROMIUM_ARGS
    assert "--disable-background-networking" in CHROMIUM_ARGS
    assert "--disable-component-update" in CHROMIUM_ARGS


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://localhost/", True),
        ("http://[::1]:9/", True),
        ("data:text/html,hi", True),
        ("https://cdn.form.io/formiojs/formio.full.min.js", False),
        ("http://10.0.0.1/", False),
    ],
)
def test_loopback_urls(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
    # The pattern the browser context refuses by says the same (not for data: URLs,
    # which never reach the network).
    if url.startswith("http"):
        assert (BEYOND_LOOPBACK.search(url) is None) is loopback


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.example.org/",
        "http://127.0.0.1.nip.io/x",
        "https://user@cdn.form.io/",
        "http://localhost@10.0.0.1/",
        "ws://example.org/socket",
        "HTTP://EXAMPLE.ORG/",
    ],
)
def test_lookalikes_of_loopback_are_refused(url: str) -> None:
    assert BEYOND_LOOPBACK.search(url) is not None
    assert not is_loopback(url)


@pytest.mark.browser
@pytest.mark.asyncio(loop_scope="module")
async def test_headless_chromium_refuses_requests_beyond_loopback(chromium: Browser) -> None:
    async with new_context(chromium) as page:
        await page.set_content("<p id=ok>pronto</p>")
        assert await page.inner_text("#ok") == "pronto"
        assert "HeadlessChrome" in await page.evaluate("navigator.userAgent")
        with pytest.raises(Error, match="ERR_BLOCKED_BY_CLIENT"):
            await page.goto("http://collaudo.invalid/")


@pytest.mark.browser
@pytest.mark.asyncio(loop_scope="module")
async def test_screenshots_show_the_viewport_or_the_whole_taller_page(
    chromium: Browser, tmp_path: Path
) -> None:
    shots = Screenshots(tmp_path, prefix="p-")
    async with new_context(chromium) as page:
        await page.set_content("<body style='margin:0'><p>breve</p></body>")
        short = await shots(page, "Pagina breve")
        # A red band 1,700 px down: beyond the 800 px viewport, in the whole-page image.
        await page.set_content(
            "<body style='margin:0'><div style='height:1700px'></div>"
            "<div style='height:300px;background:#f00'></div></body>"
        )
        tall = await shots(page, "Pagina lunga")

    assert short == tmp_path / "p-01-pagina-breve.png"
    assert tall == tmp_path / "p-02-pagina-lunga.png"
    assert shots.taken == [short, tall]
    with Image.open(short) as image:
        assert (image.format, image.size) == ("PNG", (1280, 800))
    with Image.open(tall) as image:
        assert (image.format, image.size) == ("PNG", (1280, 2000))
        rgb = image.convert("RGB")
        assert rgb.getpixel((640, 1850)) == (255, 0, 0)
        assert rgb.getpixel((640, 100)) == (255, 255, 255)


@pytest.mark.browser
@pytest.mark.asyncio(loop_scope="module")
async def test_no_directory_no_screenshots(chromium: Browser) -> None:
    shots = Screenshots(None)
    async with new_context(chromium) as page:
        assert await shots(page, "niente") is None
    assert shots.taken == []


def fake_npm(bin_dir: Path, calls: Path, *, fail: bool = False) -> None:
    """An ``npm`` on PATH that records its calls and lays out the files npm would."""
    bin_dir.mkdir()
    script = bin_dir / "npm"
    body = f'echo "$@" >> {calls}\n'
    if fail:
        body += 'echo "npm ERR! network unreachable" >&2\nexit 1\n'
    else:
        body += (
            'prefix="$3"\n'
            'mkdir -p "$prefix/node_modules/formiojs/dist"\n'
            'mkdir -p "$prefix/node_modules/bootstrap/dist/css"\n'
            'touch "$prefix/node_modules/formiojs/dist/formio.full.min.js"\n'
            'touch "$prefix/node_modules/formiojs/dist/formio.full.min.css"\n'
            'touch "$prefix/node_modules/bootstrap/dist/css/bootstrap.min.css"\n'
            'echo \'{"version": "4.99.0"}\' > "$prefix/node_modules/formiojs/package.json"\n'
        )
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_formio_missing_names_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(FormioMissing, match=r"python -m collaudo\.formio\.install"):
        find_formio(tmp_path)


def test_installing_formio_runs_npm_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "calls"
    fake_npm(tmp_path / "bin", calls)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    prefix = tmp_path / "node"

    first = ensure_formio(prefix)
    second = ensure_formio(prefix)

    assert first == second == find_formio(prefix)
    assert first.version == "4.99.0"
    assert calls.read_text().splitlines() == [
        f"install --prefix {prefix} --no-audit --no-fund formiojs@4 bootstrap@4"
    ]


def test_a_failing_npm_is_reported_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_npm(tmp_path / "bin", tmp_path / "calls", fail=True)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(FormioMissing, match="network unreachable"):
        ensure_formio(tmp_path / "node")
