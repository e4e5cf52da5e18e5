"""Which language a person reads, and the gettext catalogs that say it.

Italian by default: operators, citizens and vendors of an Italian municipality read
these texts. English when asked for, in this order of precedence:

1. the current context's language (:func:`use_language`; on the HTTP APIs the
   :class:`LanguageMiddleware` sets it per request from ``Accept-Language``);
2. the ``COLLAUDO_LANG`` environment variable (``collaudo --lang en`` sets it);
3. Italian.

The choice lives in a :class:`~contextvars.ContextVar`, never in a process-global switch:
several requests, the proxy and the simulators share one process and event loop.

Message ids are the English text (so English needs no catalog); each package has its
own gettext domain, compiled from ``<package>/locales/<lang>/LC_MESSAGES/<package>.po``
with Babel (``make messages``). Module-level strings are marked with :func:`N_` and
translated where they are shown.
"""

from __future__ import annotations

import gettext as _gettext
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

SOURCE_LANGUAGE = "en"
DEFAULT_LANGUAGE = "it"
LANGUAGES = ("it", "en")
ENV_VAR = "COLLAUDO_LANG"

_requested: ContextVar[str | None] = ContextVar("collaudo_language", default=None)
_warned: set[str] = set()
logger = logging.getLogger(__name__)


class CatalogMissing(RuntimeError):
    """A compiled catalog (.mo) is absent: a packaging mistake, not a user's."""


def parse_language(value: str | None) -> str | None:
    """``"en"``, ``"en-GB"``, ``"it_IT.UTF-8"`` → a supported language, else None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].split(".")[0].lower()
    return primary if primary in LANGUAGES else None


def negotiate(accept_language: str | None) -> str | None:
    """The supported language an ``Accept-Language`` header prefers most (RFC 9110), or
    None when it names none of them (the caller then uses the default)."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, number = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        language = DEFAULT_LANGUAGE if tag.strip() == "*" else parse_language(tag)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def language() -> str:
    """The language of the text being produced now."""
    chosen = _requested.get()
    if chosen:
        return chosen
    configured = os.environ.get(ENV_VAR)
    found = parse_language(configured)
    if configured and found is None and configured not in _warned:
        _warned.add(configured)
        logger.warning(
            "%s=%r is not a language collaudo speaks (%s): using %s",
            ENV_VAR,
            configured,
            ", ".join(LANGUAGES),
            DEFAULT_LANGUAGE,
        )
    return found or DEFAULT_LANGUAGE


@contextmanager
def use_language(value: str | None) -> Iterator[str]:
    """Produce text in ``value`` (a tag such as ``en`` or ``it-IT``) inside the block;
    an unsupported or empty value keeps the current language."""
    token = _requested.set(parse_language(value) or language())
    try:
        yield language()
    finally:
        _requested.reset(token)


class Catalog:
    """One package's gettext domain, loaded once per language."""

    def __init__(self, domain: str, localedir: Path) -> None:
        self.domain = domain
        self.localedir = localedir
        self._loaded: dict[str, _gettext.NullTranslations] = {}

    def translations(self, lang: str) -> _gettext.NullTranslations:
        if lang not in self._loaded:
            if lang == SOURCE_LANGUAGE:
                self._loaded[lang] = _gettext.NullTranslations()
            else:
                try:
                    self._loaded[lang] = _gettext.translation(
                        self.domain, self.localedir, languages=[lang]
                    )
                except FileNotFoundError as exc:
                    raise CatalogMissing(
                        f"no compiled {lang} catalog for {self.domain} under {self.localedir}:"
                        " run `make messages` (or `pybabel compile -d "
                        f"{self.localedir} -D {self.domain}`)"
                    ) from exc
        return self._loaded[lang]

    def gettext(self, message: str) -> str:
        """``message`` in the current language."""
        return self.translations(language()).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for ``n``, in the current language."""
        return self.translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a module-level string for extraction; translate it where it is shown."""
    return message


CATALOG = Catalog("adapters", Path(__file__).parent / "locales")
gettext = CATALOG.gettext
ngettext = CATALOG.ngettext

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class LanguageMiddleware:
    """ASGI middleware: each HTTP request is answered in the language its
    ``Accept-Language`` prefers (else ``COLLAUDO_LANG``, else Italian), said back in
    ``Content-Language``. Scoped to the request: concurrent requests never mix."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), None
        )
        with use_language(negotiate(header)) as chosen:

            async def send_with_language(message: MutableMapping[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    if not any(k.lower() == b"content-language" for k, _ in headers):
                        headers.append((b"content-language", chosen.encode()))
                    message["headers"] = headers
                await send(message)

            await self.app(scope, receive, send_with_language)
