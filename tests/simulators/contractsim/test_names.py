"""What an operation does, read from its name (creates remembered, reads answered from
state, fault profiles aimed at the right operations), across vendors' naming styles."""

from __future__ import annotations

import pytest

from simulators.contractsim import gate


@pytest.mark.parametrize(
    ("name", "method", "kind"),
    [
        ("paaSILImportaDovuto", "post", "create"),
        ("paaSILInviaDovuti", "post", "create"),
        ("paaSILChiediPagati", "post", "receipt"),
        ("paaSILChiediPosizioniAperte", "post", "status"),
        ("paSendRTV2", "post", "receipt"),
        ("paGetPaymentV2", "post", "status"),
        ("paVerifyPaymentNotice", "post", "notice"),
        ("createPosition", "post", "create"),
        ("getOrganizationDebtPositionByIUPD", "get", "status"),
        ("inserisci_pendenza", "post", "create"),
        ("GET /payments/{organizationfiscalcode}/receipts/{iuv}", "get", "receipt"),
        ("POST /carts", "post", "create"),
        ("stampaAvviso", "post", "notice"),
        ("deletePosition", "delete", "other"),
    ],
)
def test_operation_kind(name: str, method: str, kind: str) -> None:
    assert gate.operation_kind(name, method) == kind


def test_create_and_read_by_name() -> None:
    assert gate.is_create("paSendRT") and gate.is_create("creaPratica")
    assert gate.is_read("paGetPayment") and gate.is_read("leggiPratica")
    assert not gate.is_create("paaSILChiediPagati") and not gate.is_read("cancellaPratica")
