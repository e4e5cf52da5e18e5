"""The gettext catalogs are current, complete and compiled; the language is chosen per context.

A catalog is stale when a message in the code is missing from its .po (or the .po keeps
one the code no longer has), when an entry is untranslated or fuzzy, when a translation
drops or adds a placeholder, or when the committed .mo differs from its .po. Each failure
says to run ``make messages`` (and translate what it lists).
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo

from adapters import i18n
from tests.i18n_support import DOMAINS, ROOT, po_path, read_catalog

FIX = "run `make messages`, translate the new entries in {po}, and commit the .po and .mo"


def _extracted(domain: str) -> set[object]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = extract_from_dir(
        ROOT / domain, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "N_": None}
    )
    return {message for _file, _line, message, _comments, _context in found}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_in_the_code_is_in_the_catalog(domain: str) -> None:
    in_code = {m if isinstance(m, str) else tuple(m) for m in _extracted(domain)}
    in_po = {m.id for m in read_catalog(domain) if m.id}
    fix = FIX.format(po=po_path(domain).relative_to(ROOT))
    assert not in_code - in_po, f"messages missing from the catalog ({fix}): {in_code - in_po}"
    assert not in_po - in_code, f"entries no code uses any more ({fix}): {in_po - in_code}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_message_hides_inside_an_f_string(domain: str) -> None:
    """Babel does not look inside f-strings on Python 3.11: such a message is never
    extracted, so never translated. Compute it before the f-string."""
    hidden = []
    for path in sorted((ROOT / domain).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                name = getattr(getattr(call, "func", None), "id", None)
                if isinstance(call, ast.Call) and name in {"_", "gettext", "ngettext", "N_"}:
                    hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not hidden, f"messages inside f-strings: {hidden}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_keeps_its_placeholders(domain: str) -> None:
    catalog = read_catalog(domain)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            problems.append(f"untranslated or fuzzy: {message.id!r}")
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        # form.io's {{ field }} placeholders are not checked by Babel's python-format check.
        braces = {re.sub(r"\s", "", b) for b in re.findall(r"\{\{[^}]*\}\}", ids[0])}
        for text in strings:
            if {re.sub(r"\s", "", b) for b in re.findall(r"\{\{[^}]*\}\}", text)} != braces:
                problems.append(f"form.io placeholders differ: {message.id!r} -> {text!r}")
    for message, errors in catalog.check():
        problems += [f"{message.id!r}: {e}" for e in errors]
    assert not problems, "\n".join(problems)


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_is_compiled_from_the_po(domain: str) -> None:
    po = read_catalog(domain)
    mo_path: Path = po_path(domain).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: {FIX.format(po=mo_path)}"
    with mo_path.open("rb") as f:
        mo = read_mo(f)
    compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
    expected = {_key(m.id): _key(m.string) for m in po if m.id}
    assert compiled == expected, f"{mo_path} is older than its .po: {FIX.format(po=mo_path)}"


def test_accept_language_picks_the_preferred_supported_language() -> None:
    assert i18n.negotiate("en-GB,en;q=0.9,it;q=0.8") == "en"
    assert i18n.negotiate("de-DE, it;q=0.5, en;q=0.4") == "it"
    assert i18n.negotiate("it;q=0.2, en") == "en"
    assert i18n.negotiate("en;q=0, it") == "it"
    assert i18n.negotiate("de, fr") is None
    assert i18n.negotiate("*") == "it"
    assert i18n.negotiate("") is None


def test_italian_by_default_english_on_request(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert i18n.language() == "it"
    assert i18n.gettext("Invalid fields") == "Campi non validi"
    monkeypatch.setenv(i18n.ENV_VAR, "en_GB.UTF-8")
    assert i18n.gettext("Invalid fields") == "Invalid fields"
    with i18n.use_language("it-IT"):
        assert i18n.gettext("Invalid fields") == "Campi non validi"
    monkeypatch.setenv(i18n.ENV_VAR, "klingon")
    with caplog.at_level("WARNING", logger="adapters.i18n"):
        assert i18n.language() == "it"
    assert "COLLAUDO_LANG='klingon' is not a language collaudo speaks (it, en)" in caplog.text


async def test_concurrent_contexts_keep_their_own_language() -> None:
    """Two tasks in one event loop (as two requests in one proxy) never mix languages."""

    async def answer(lang: str) -> list[str]:
        seen = []
        with i18n.use_language(lang):
            for _ in range(20):
                seen.append(i18n.gettext("Not found"))
                await asyncio.sleep(0)
        return seen

    italian, english = await asyncio.gather(answer("it"), answer("en"))
    assert set(italian) == {"Non trovato"} and set(english) == {"Not found"}


def test_a_missing_compiled_catalog_says_how_to_build_it(tmp_path: Path) -> None:
    catalog = i18n.Catalog("adapters", tmp_path)
    with i18n.use_language("it"), pytest.raises(i18n.CatalogMissing, match="make messages"):
        catalog.gettext("Not found")
    with i18n.use_language("en"):
        assert catalog.gettext("Not found") == "Not found"


@pytest.mark.parametrize(
    "argv", [["--lang", "en", "sim", "--list-faults"], ["sim", "--list-faults", "--lang", "en"]]
)
def test_cli_lang_chooses_english_for_the_verb_and_what_it_starts(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from collaudo.cli import build_parser, main

    monkeypatch.setenv(i18n.ENV_VAR, "it")
    assert build_parser().parse_args(argv).lang == "en"
    assert main(argv) == 0
    # The environment, so that `collaudo run`'s pytest and the servers it starts agree.
    assert i18n.language() == "en" and os.environ[i18n.ENV_VAR] == "en"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--lang", "fr", "sim", "--list-faults"])
    assert "invalid choice: 'fr'" in capsys.readouterr().err
