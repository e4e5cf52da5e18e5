"""The single `collaudo` entry point.

Each verb lives in its own module under :mod:`collaudo.commands` and exposes
``register(subparsers)``; the module adds its parser and sets ``func`` to a
callable taking the parsed namespace and returning an exit code. Verbs are
discovered, so adding one never touches this file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from adapters.i18n import ENV_VAR, LANGUAGES
from collaudo import __version__, commands

LANG_HELP = (
    "language of what operators, citizens and vendors read (reports, summaries, the proxy's "
    f"forms and errors): {' or '.join(LANGUAGES)}; default ${ENV_VAR}, else it"
)


def _named_verb(argv: Sequence[str]) -> str | None:
    """The command module the first word of ``argv`` names (``--lang X`` may come before it),
    or ``None`` when there is none (``--help``, ``--version``, a word that is no verb)."""
    words = list(argv)
    while words and (words[0] == "--lang" or words[0].startswith("--lang=")):
        del words[: 2 if words[0] == "--lang" else 1]
    if not words or words[0].startswith("-"):
        return None
    name = words[0].replace("-", "_")
    known = {info.name for info in pkgutil.iter_modules(commands.__path__)}
    return name if name in known and not name.startswith("_") else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every verb, or of the verb module ``only`` alone (a verb's imports
    cost up to a second each: ``collaudo doctor`` needs none of the others')."""
    parser = argparse.ArgumentParser(
        prog="collaudo",
        description="Contract testing and simulation for pagoPA payment intermediaries.",
    )
    parser.add_argument("--version", action="version", version=f"collaudo {__version__}")
    parser.add_argument("--lang", choices=LANGUAGES, help=LANG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or (only is not None and info.name != only):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    # `collaudo --lang en run` and `collaudo run --lang en` both work.
    for verb in sub.choices.values():
        verb.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=LANG_HELP)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_named_verb(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if args.lang:
        # The environment, not only this process: `collaudo run`'s pytest, the stack's
        # simulators and servers it starts read the same choice.
        os.environ[ENV_VAR] = args.lang
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
