"""How long ``collaudo contract check`` takes on each official contract, beside the bare
strict validators it runs among its checks.

    .venv/bin/python benchmarks/bench_contract_check.py [--rounds 3]

For each contract: the best of ``--rounds`` in-process runs of the whole check (loading,
every check, the mapping), the best time of the strict validator alone on the same file
(openapi-spec-validator for OpenAPI, lxml's XMLSchema on the WSDL's schemas for WSDL),
and the findings by severity. Startup of the CLI (imports) is left out: it is the same for
every contract. The contracts are read from ../shared/contracts (or
$COLLAUDO_CONTRACTS_DIR): run `collaudo contracts fetch` where they are absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collaudo.contractcheck import check_contracts  # noqa: E402
from collaudo.contractcheck.findings import Severity  # noqa: E402
from simulators.common.contracts import search_dir  # noqa: E402

CONTRACTS = [
    "mypay/pa-per-ente.wsdl",
    "pagopa/wsdl/paForNode.wsdl",
    "pagopa/openapi/gpd.json",
    "pagopa/openapi/gpd_payments.json",
    "pagopa/openapi/checkout_v1.json",
    "pagopa/openapi/print-payment-notice-service.json",
    "govpay/api-pendenze-v2/govpay-api-pendenze-v2.yaml",
    "govpay/api-pagamento-v2/govpay-api-pagamento-v2.yaml",
    "govpay/api-ente-v2/govpay-api-ec.yaml",
    "govpay/api-ragioneria-v3/govpay-api-ragioneria.yaml",
]


def best(function: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def strict_only(path: Path) -> None:
    """The bare strict validator on ``path``, errors ignored (as a CI lint would run it)."""
    if path.suffix == ".wsdl":
        from lxml import etree

        from collaudo.contractcheck.sources import Reader, to_uri
        from collaudo.contractcheck.wsdl import loader
        from collaudo.contractcheck.wsdl.checks import strict_load

        xml = loader.load(Reader([str(path)]), to_uri(str(path)), path.read_bytes(), str)
        list(strict_load(xml))
        del etree
        return
    import yaml
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.shortcuts import get_validator_cls

    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    try:
        list(
            get_validator_cls(data)(
                SchemaPath.from_dict(data, base_uri=path.as_uri())
            ).iter_errors()
        )
    except Exception:  # the validator stops on some of these files: that is what it costs
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = search_dir()
    present = [name for name in CONTRACTS if (root / name).is_file()]
    if not present:
        print(f"no official contracts in {root}: run `collaudo contracts fetch`")
        return 2
    print(f"{'contract':55} {'check ms':>9} {'strict ms':>9}  err warn info")
    for name in present:
        path = root / name
        progress = f"  checking {name} ..."
        print(progress, end="\r", flush=True)
        whole = best(lambda p=path: check_contracts([str(p)]), args.rounds)
        bare = best(lambda p=path: strict_only(p), args.rounds)
        (document,) = check_contracts([str(path)]).documents
        counts = [document.count(s) for s in Severity]
        line = (
            f"{name:55} {whole * 1000:9.0f} {bare * 1000:9.0f}  "
            f"{counts[0]:3} {counts[1]:4} {counts[2]:4}"
        )
        print(line.ljust(len(progress)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
