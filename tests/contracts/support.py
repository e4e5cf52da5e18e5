"""Both worlds in one test process: the official MyPay contract where it is found, and a
process that sees no official contract at all (the built-in MyPay contract serves)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.common import contracts

FETCH_HINT = "run collaudo contracts fetch (or set COLLAUDO_CONTRACTS_DIR)"


def is_builtin(path: Path) -> bool:
    """Whether ``path`` is one of collaudo's built-in contract files."""
    return path.resolve().is_relative_to(contracts.BUILTIN_DIR.resolve())


def official_mypay_contracts() -> tuple[Path, Path] | None:
    """The official ``pa-per-ente.wsdl`` and its documents' XSD, or None where they are
    not found (or only the built-in ones are)."""
    wsdl = contracts.find(contracts.MYPAY_WSDL)
    xsd = contracts.find(contracts.MYPAY_DOCUMENTS_XSD)
    if wsdl is None or xsd is None or is_builtin(wsdl) or is_builtin(xsd):
        return None
    return wsdl, xsd


def builtin_mypay_contracts() -> tuple[Path, Path]:
    """collaudo's own ``pa-per-ente.wsdl`` and documents' XSD."""
    return (
        contracts.BUILTIN_DIR / contracts.MYPAY_WSDL,
        contracts.BUILTIN_DIR / contracts.MYPAY_DOCUMENTS_XSD,
    )


needs_official_mypay = pytest.mark.skipif(
    official_mypay_contracts() is None,
    reason="the official MyPay contract (pa-per-ente.wsdl, PagInf_Dovuti_Pagati_6_2_0.xsd) "
    f"is not found, only the built-in one: {FETCH_HINT}",
)


def forget_loaded_contracts() -> None:
    """Drop every cached contract in the simulators, so the next use looks files up again."""
    for name, module in list(sys.modules.items()):
        if name != "simulators" and not name.startswith("simulators."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


@contextlib.contextmanager
def without_official_contracts(tmp_path: Path) -> Iterator[Path]:
    """A process as on a fresh clone: every place an official contract is looked for is an
    empty folder ($COLLAUDO_CONTRACTS_DIR, the folder beside the checkout, the user
    cache). Fails at once if an official MyPay or pagoPA file is still found."""
    empty = tmp_path / "no-contracts"
    (empty / "checkout").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(contracts.ENV_VAR, str(empty))
        patch.setenv("XDG_CACHE_HOME", str(empty / "cache"))
        patch.setattr(contracts, "REPO_ROOT", empty / "checkout")
        forget_loaded_contracts()
        try:
            wsdl = contracts.find(contracts.MYPAY_WSDL)
            assert wsdl is not None and is_builtin(wsdl), f"official contract still found: {wsdl}"
            assert contracts.find(contracts.PAFORNODE_WSDL) is None, "paForNode still found"
            yield empty
        finally:
            forget_loaded_contracts()
    forget_loaded_contracts()  # the next user looks the real places up again
