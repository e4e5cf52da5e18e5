"""``collaudo contracts``: the official contract files — where they are, getting them,
checking them against the lock.

    collaudo contracts status              # each file: where it was found, sha256 state
    collaudo contracts fetch               # download the pinned files into the user cache
    collaudo contracts fetch --from URL    # … from a mirror serving a contracts folder
    collaudo contracts verify              # exit 1 when a file in use differs from the lock

Each file is looked for, in order, in ``$COLLAUDO_CONTRACTS_DIR``, a contracts folder
beside the checkout (``../shared/contracts``, ``../contracts``), the user cache (where
``fetch`` puts them; ``$COLLAUDO_CACHE_DIR`` moves it) and the built-in MyPay contract.
The lock (``simulators/common/contracts.lock.toml``) pins each file's upstream commit and
sha256. "differs" means the file found is not the pinned version — the vendor may have
published another: check it with ``collaudo drift``, then update the lock.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from simulators.common import contract_lock, contracts

DIFFERS_REMEDY = (
    "a file that differs is not the version the lock pins (the vendor may have published "
    "another): run collaudo drift against it, or update the lock "
    f"({contract_lock.LOCK_FILE.name})"
)
MISSING_REMEDY = "run collaudo contracts fetch (or set COLLAUDO_CONTRACTS_DIR to a folder of them)"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "contracts",
        help="the official contract files: status, fetch, verify",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="contracts_verb", metavar="VERB", required=True)
    status = verbs.add_parser("status", help="each file: where it was found, sha256 state")
    status.set_defaults(func=run_status)
    fetch = verbs.add_parser("fetch", help="download the pinned files into the user cache")
    fetch.add_argument(
        "--from",
        dest="base_url",
        metavar="BASE_URL",
        help="a mirror serving a contracts folder's layout (BASE_URL/mypay/pa-per-ente.wsdl…)",
    )
    fetch.set_defaults(func=run_fetch)
    verify = verbs.add_parser("verify", help="exit 1 when a file in use differs from the lock")
    verify.set_defaults(func=run_verify)


def _places() -> list[str]:
    lines = ["looked for, per file, in this order:"]
    if not any(p.kind == "env" for p in contracts.places()):
        lines.append(f"  ${contracts.ENV_VAR} (unset)")
    lines += [f"  {place.describe()}" for place in contracts.places()]
    return lines


def table(found: list[contracts.Located]) -> str:
    """file | found | sha256, one row per file."""
    rows = [("file", "found", "sha256")] + [(f.relative, f.where, f.state) for f in found]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def run_status(args: argparse.Namespace) -> int:
    found = contracts.locate_all()
    print("\n".join(_places()))
    print()
    print(table(found))
    counts: dict[str, int] = {}
    for item in found:
        counts[item.state] = counts.get(item.state, 0) + 1
    print("\n" + ", ".join(f"{n} {state}" for state, n in counts.items()))
    if counts.get("differs"):
        print(f"differs: {DIFFERS_REMEDY}")
    if counts.get("missing") or counts.get("built-in"):
        print(f"missing or built-in: {MISSING_REMEDY}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from collaudo.contracts_fetch import Unreachable, fetch

    source = args.base_url or "their upstream repositories (the pinned commits)"
    cache = contracts.cache_dir()
    print(f"fetching {len(contract_lock.pins())} pinned files from {source} into {cache}")
    try:
        result = fetch(base_url=args.base_url, progress=lambda line: print(line, flush=True))
    except Unreachable as exc:
        print(
            f"collaudo contracts fetch: {exc}: offline? Nothing was written; try again "
            "online, or give a mirror with --from BASE_URL",
            file=sys.stderr,
        )
        return 1
    print(
        f"\n{len(result.fetched)} fetched, {len(result.already)} already in the cache, "
        f"{len(result.refused)} refused"
    )
    for relative, why in result.refused:
        print(f"refused {relative}: {why}", file=sys.stderr)
    return 0 if result.ok else 1


def run_verify(args: argparse.Namespace) -> int:
    found = contracts.locate_all()
    differs = [f for f in found if f.state == "differs"]
    verified = [f for f in found if f.state == "verified"]
    absent = [f for f in found if f.state in ("missing", "built-in")]
    for item in differs:
        print(f"differs: {item.relative} at {item.path} (found {item.where})")
    print(
        f"{len(verified)} verified, {len(differs)} differ from the lock, "
        f"{len(absent)} not in use (missing or built-in)"
    )
    if differs:
        print(DIFFERS_REMEDY, file=sys.stderr)
        return 1
    if absent:
        print(f"not in use: {MISSING_REMEDY}")
    return 0
