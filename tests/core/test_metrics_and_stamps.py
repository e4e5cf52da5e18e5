"""Per-instance Prometheus registry; digital stamp data passed to the driver."""

from __future__ import annotations

import base64
import hashlib

from adapters.core.fake import FakeIntermediary
from adapters.core.metrics import ProxyMetrics
from adapters.core.outcomes import OutcomeAction
from adapters.core.service import PaymentService

from .conftest import STAMP_SERVICE_ID, creation_pending, raw


async def test_metrics_live_in_the_instance_registry(service: PaymentService) -> None:
    await service.handle_event(raw(creation_pending()))
    await service.handle_event(b"nope")
    text = service.metrics.render().decode()
    assert 'payments_created_total{origin="created"} 1.0' in text
    assert 'payment_processing_errors_total{kind="internal"} 1.0' in text
    assert 'payment_processing_errors_total{kind="external"} 0.0' in text
    assert 'payment_events_rejected_total{reason="not_json"} 1.0' in text
    other = ProxyMetrics()  # a second instance starts from zero, no global collisions
    assert 'payments_created_total{origin="created"} 0.0' in other.render().decode()
    assert service.registry is service.metrics.registry


async def test_stamp_service_passes_document_hash_and_province(
    service: PaymentService, fake: FakeIntermediary
) -> None:
    digest = hashlib.sha256(b"istanza di residenza").hexdigest()
    event = creation_pending(service_id=str(STAMP_SERVICE_ID))
    event["payment"].update(amount=16.0, split=None, document={"hash": f"sha256:{digest}"})
    assert (await service.handle_event(raw(event))).action is OutcomeAction.CREATED
    [position] = fake.positions.values()
    stamp = position.request.stamp
    assert stamp is not None and stamp.province == "PI"
    assert stamp.document_hash == base64.b64encode(bytes.fromhex(digest)).decode()

    missing = creation_pending(service_id=str(STAMP_SERVICE_ID))
    missing["payment"].update(amount=16.0, split=None)
    outcome = await service.handle_event(raw(missing))
    assert outcome.action is OutcomeAction.FAILED
    assert "needs payment.document.hash" in outcome.reason
