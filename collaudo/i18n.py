"""The harness's gettext domain (``collaudo``): vendor reports, the run's summary.

The language choice is :mod:`adapters.i18n`'s (one context variable, ``COLLAUDO_LANG``,
Italian by default); only the catalog differs, so each package owns its messages.
"""

from __future__ import annotations

from pathlib import Path

from adapters.i18n import N_, Catalog, language, use_language

__all__ = ["CATALOG", "N_", "gettext", "language", "ngettext", "use_language"]

CATALOG = Catalog("collaudo", Path(__file__).parent / "locales")
gettext = CATALOG.gettext
ngettext = CATALOG.ngettext
