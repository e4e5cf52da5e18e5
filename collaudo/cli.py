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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collaudo",
        description="Contract testing and simulation for pagoPA payment intermediaries.",
    )
    parser.add_argument("--version", action="version", version=f"collaudo {__version__}")
    parser.add_argument("--lang", choices=LANGUAGES, help=LANG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    # `collaudo --lang en run` and `collaudo run --lang en` both work.
    for verb in sub.choices.values():
        verb.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=LANG_HELP)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
