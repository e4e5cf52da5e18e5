"""An in-process intermediary for tests and benchmarks: a dict of positions and a few knobs.

It behaves like a well-mannered real one where the proxy's correctness depends
on it: creation is idempotent by IUD, notice numbers are real (aux digit 3,
mod-93 check digit) and the status is the truth about payment. Knobs::

    fake.fail_next(2)                       # next 2 calls raise IntermediaryUnavailable
    fake.fail_next(1, IntermediaryFault)    # ... or any RetriableError/PermanentError class
    fake.timeout_after_create(1)            # create the position, then "time out"
    fake.reject_creations("PAA_SEMANTICA")  # every creation is refused (permanent)
    fake.pay(payment_id)                    # the citizen paid
    fake.expire(payment_id) / fake.cancel(payment_id)

It also offers the optional verb ``cancel_position`` (refused once paid).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree import ElementTree

from adapters.core.intermediary import (
    DebtPosition,
    DebtPositionRequest,
    Exchange,
    IntermediaryError,
    IntermediaryUnavailable,
    NotPaidYet,
    PositionContext,
    PositionNotFound,
    PositionState,
    PositionStatus,
    Receipt,
    RequestRejected,
    ReturnUrls,
)
from adapters.pagopa.notice import generate_notice, iuv_base_from_key

__all__ = ["FakeIntermediary", "FakePosition"]

FAKE_CHECKOUT = "https://checkout.fake.invalid/pay"


@dataclass
class FakePosition:
    request: DebtPositionRequest
    position: DebtPosition
    state: PositionState = PositionState.UNPAID
    paid_at: datetime | None = None
    transaction_id: str | None = None
    return_urls: ReturnUrls | None = None


@dataclass
class FakeIntermediary:
    """Implements :class:`adapters.core.intermediary.Intermediary` in memory."""

    name: str = "fake"
    segregation_code: str = "01"
    positions: dict[str, FakePosition] = field(default_factory=dict)  # by IUD
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, iud)
    _failures: list[type[IntermediaryError]] = field(default_factory=list)
    _timeouts_after_create: int = 0
    _reject_code: str | None = None

    # -- knobs --------------------------------------------------------------------------------

    def fail_next(
        self, times: int, error: type[IntermediaryError] = IntermediaryUnavailable
    ) -> None:
        """The next ``times`` calls (any operation) raise ``error``."""
        self._failures.extend([error] * times)

    def timeout_after_create(self, times: int = 1) -> None:
        """The next ``times`` creations succeed on the intermediary but the answer is lost."""
        self._timeouts_after_create += times

    def reject_creations(self, code: str | None = "PAA_SEMANTICA") -> None:
        """Refuse every creation permanently (``None`` stops refusing)."""
        self._reject_code = code

    def _by_payment(self, payment_id: uuid.UUID) -> FakePosition:
        found = self.positions.get(payment_id.hex)
        if found is None:
            raise KeyError(f"the fake intermediary has no position for payment {payment_id}")
        return found

    def pay(self, payment_id: uuid.UUID, at: datetime | None = None) -> None:
        entry = self._by_payment(payment_id)
        entry.state = PositionState.PAID
        entry.paid_at = at or datetime.now(UTC)
        entry.transaction_id = f"RT-{entry.position.iuv}"

    def expire(self, payment_id: uuid.UUID) -> None:
        self._by_payment(payment_id).state = PositionState.EXPIRED

    def cancel(self, payment_id: uuid.UUID) -> None:
        self._by_payment(payment_id).state = PositionState.CANCELED

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)

    # -- the protocol ---------------------------------------------------------------------------

    def _exchange(self, operation: str, request: str, error: str | None = None) -> Exchange:
        return Exchange(
            endpoint=f"fake://{self.name}",
            operation=operation,
            started_at=datetime.now(UTC),
            request=request,
            error=error,
        )

    def _maybe_fail(self, operation: str, iud: str) -> None:
        self.calls.append((operation, iud))
        if self._failures:
            error = self._failures.pop(0)
            raise error(
                f"fake {operation} failure",
                exchanges=[self._exchange(operation, iud, error.__name__)],
                code="FAKE",
            )

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        self._maybe_fail("create_debt_position", request.iud)
        if self._reject_code:
            raise RequestRejected(
                f"creation of {request.iud} refused",
                exchanges=[self._exchange("create_debt_position", request.iud, self._reject_code)],
                code=self._reject_code,
            )
        existing = self.positions.get(request.iud)
        if existing is None:  # idempotent by IUD, as real intermediaries are
            base = iuv_base_from_key(request.iud)
            notice = generate_notice(3, base, segregation_code=self.segregation_code)
            position = DebtPosition(
                iud=request.iud,
                iuv=notice.iuv,
                notice_number=notice.notice_number,
                creditor_fiscal_code=request.creditor.creditor_fiscal_code,
                amount=request.amount,
                handle={"fake_id": request.iud},
            )
            existing = self.positions[request.iud] = FakePosition(request, position)
        if self._timeouts_after_create:
            self._timeouts_after_create -= 1
            raise IntermediaryUnavailable(
                "fake timeout after the position was created",
                exchanges=[self._exchange("create_debt_position", request.iud, "timeout")],
                code="TIMEOUT",
            )
        return existing.position

    def _entry(self, ctx: PositionContext, operation: str) -> FakePosition:
        self._maybe_fail(operation, ctx.position.iud)
        entry = self.positions.get(ctx.position.iud)
        if entry is None:
            raise PositionNotFound(
                f"position {ctx.position.iud} unknown",
                exchanges=[self._exchange(operation, ctx.position.iud, "not found")],
            )
        return entry

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        entry = self._entry(ctx, "checkout_url")
        entry.return_urls = return_urls
        return f"{FAKE_CHECKOUT}/{entry.position.notice_number}"

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        entry = self._entry(ctx, "notice_pdf")
        # A minimal but valid PDF naming the notice: enough for a download test.
        text = f"Avviso {entry.position.notice_number} EUR {entry.position.amount}"
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        out = bytearray(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            xref,
        )
        return bytes(out)

    async def status(self, ctx: PositionContext) -> PositionStatus:
        entry = self._entry(ctx, "status")
        return PositionStatus(
            state=entry.state,
            paid_at=entry.paid_at,
            amount_paid=entry.position.amount if entry.state is PositionState.PAID else None,
            transaction_id=entry.transaction_id,
            psp="FAKEPSP" if entry.state is PositionState.PAID else None,
        )

    async def receipt(self, ctx: PositionContext) -> Receipt:
        entry = self._entry(ctx, "receipt")
        if entry.state is not PositionState.PAID:
            raise NotPaidYet(f"position {ctx.position.iud} is {entry.state}")
        root = ElementTree.Element("receipt")
        ElementTree.SubElement(root, "iuv").text = entry.position.iuv
        ElementTree.SubElement(root, "amount").text = str(entry.position.amount)
        ElementTree.SubElement(root, "receiptId").text = entry.transaction_id
        content = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
        return Receipt(
            content=content,
            media_type="application/xml",
            filename=f"ricevuta-{entry.position.iuv}.xml",
            iuv=entry.position.iuv,
            amount=Decimal(entry.position.amount),
            payer_fiscal_code=ctx.debtor.fiscal_code,
            paid_at=entry.paid_at,
            receipt_id=entry.transaction_id,
        )

    async def cancel_position(self, ctx: PositionContext, reason: str) -> None:
        entry = self._entry(ctx, "cancel_position")
        if entry.state is PositionState.PAID:
            raise RequestRejected(
                f"position {ctx.position.iud} is paid: it cannot be cancelled",
                exchanges=[self._exchange("cancel_position", ctx.position.iud, "PAID")],
                code="PAID",
            )
        entry.state = PositionState.CANCELED
