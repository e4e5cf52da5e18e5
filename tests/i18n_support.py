"""Read the gettext catalogs back, to prove a rendered text came out of them.

A rendered string "comes from the catalog" in a language when it matches one of the
catalog's entries in that language — its msgstr for Italian, its msgid for English —
with each placeholder (``%(name)s``) standing for any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ("adapters", "collaudo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdrf]")


def po_path(domain: str, lang: str = "it") -> Path:
    return ROOT / domain / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def read_catalog(domain: str, lang: str = "it") -> Catalog:
    with po_path(domain, lang).open("rb") as f:
        return read_po(f)


def _forms(message_id: object, string: object) -> list[tuple[str, str]]:
    ids = message_id if isinstance(message_id, tuple) else (message_id,)
    strings = string if isinstance(string, tuple) else (string,)
    # Plural forms: each msgstr pairs with the plural msgid (Italian has two forms too).
    return [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strings)]


def _pattern(text: str) -> re.Pattern[str]:
    parts = PLACEHOLDER.split(text)
    # split() alternates literal, name, literal, ...: literals escaped, names become ".+?"
    regex = "".join(re.escape(p) if i % 2 == 0 else "(.+?)" for i, p in enumerate(parts))
    return re.compile(regex, re.DOTALL)


@dataclass(frozen=True)
class Entries:
    """Each catalog text in one language, and the other language's texts."""

    own: tuple[re.Pattern[str], ...]
    others: frozenset[str]

    def explains(self, text: str) -> bool:
        return any(p.fullmatch(text) for p in self.own)


@cache
def entries(lang: str, domains: tuple[str, ...] = DOMAINS) -> Entries:
    own, other = [], set()
    for domain in domains:
        for message in read_catalog(domain):
            if not message.id:
                continue
            for msgid, msgstr in _forms(message.id, message.string):
                shown, hidden = (msgstr, msgid) if lang == "it" else (msgid, msgstr)
                own.append(_pattern(shown))
                if hidden != shown:
                    other.add(hidden)
    return Entries(tuple(own), frozenset(other))


def untranslated(texts: Iterable[str], lang: str) -> list[str]:
    """The texts that did not come out of the catalogs in ``lang``, or came out in the
    other language (an Italian page showing an English msgid, or the reverse)."""
    found = entries(lang)
    return [t for t in texts if t in found.others or not found.explains(t)]
