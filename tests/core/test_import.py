"""import_payment: the engine behind the CSV import."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from adapters.core.errors import ConfigurationMissing
from adapters.core.fake import FakeIntermediary
from adapters.core.models import Payer, PaymentStatus
from adapters.core.service import PaymentService
from adapters.core.store import Store
from adapters.pagopa.notice import InvalidNoticeNumber, generate_notice

from .conftest import SERVICE_ID, TENANT_ID

PAYER = Payer(tax_identification_number="BNRMHL75C06G702B", name="Michele")


async def test_row_with_notice_is_registered_pending_once(
    service: PaymentService, store: Store, fake: FakeIntermediary
) -> None:
    notice = generate_notice(3, "0000000000077", segregation_code="01").notice_number
    kwargs = dict(
        tenant_id=TENANT_ID,
        service_id=SERVICE_ID,
        row_key=f"notice:{notice}",
        amount=Decimal("12.50"),
        reason="Canone CUP 2025",
        payer=PAYER,
        notice_number=notice,
    )
    first = await service.import_payment(**kwargs)  # type: ignore[arg-type]
    again = await service.import_payment(**kwargs)  # type: ignore[arg-type]
    assert first.created and not again.created and again.payment_id == first.payment_id
    assert first.event.status is PaymentStatus.PAYMENT_PENDING
    assert first.event.payment.notice_code == notice and first.event.payment.iuv == notice[1:]
    stored = store.find_by_notice(TENANT_ID, notice)
    assert stored is not None and stored.origin == "imported"
    assert fake.calls == [] and store.outbox_backlog() == 1


async def test_row_without_notice_is_created_on_the_intermediary(
    service: PaymentService, fake: FakeIntermediary
) -> None:
    result = await service.import_payment(
        tenant_id=TENANT_ID,
        service_id=SERVICE_ID,
        row_key="row-hash-1",
        amount=Decimal("3"),
        reason="Diritti",
        payer=PAYER,
    )
    assert result.event.status is PaymentStatus.PAYMENT_PENDING
    assert result.event.payment.iud == result.payment_id.hex
    assert fake.count("create_debt_position") == 1


async def test_bad_rows_say_what_is_wrong(service: PaymentService) -> None:
    with pytest.raises(InvalidNoticeNumber, match="cifre di controllo"):
        await service.import_payment(
            tenant_id=TENANT_ID,
            service_id=SERVICE_ID,
            row_key="x",
            amount=Decimal("1"),
            reason="r",
            payer=PAYER,
            notice_number="302000000000000199",
        )
    with pytest.raises(ConfigurationMissing, match="crearla o riattivarla"):
        await service.import_payment(
            tenant_id=TENANT_ID,
            service_id=uuid.uuid4(),
            row_key="x",
            amount=Decimal("1"),
            reason="r",
            payer=PAYER,
        )
