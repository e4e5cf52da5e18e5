"""The payment event v2 the platform publishes when a citizen submits an application.

Built the way the OpenCity Core builds it (reference §2, C-phpsvc): reason
``"<application id> - <codice fiscale>"`` unless the form gives one, expiry
now + 90 days, ``notify`` pointing back at the application's payment
endpoint, ``online_payment_landing`` at the application's page. Every other
link is the proxy's to fill in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import metadata
from typing import Any

from simulators.platform.models import EVENT_VERSION, ApplicationRequest

# A stable user id per citizen, as the Core has one per logged-in user.
_USERS = uuid.UUID("3f6b0c4e-9d1a-4c55-8a57-6f0e2b1c9d77")


def app_id() -> str:
    """``collaudo-platform-sim:<version>``, the ``<name>:<version>`` form of the contract."""
    try:
        version = metadata.version("collaudo")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        version = "0.0.0"
    return f"collaudo-platform-sim:{version}"


def user_id_for(tax_identification_number: str) -> uuid.UUID:
    return uuid.uuid5(_USERS, tax_identification_number.upper())


def _url_link(url: str | None) -> dict[str, Any]:
    return {"url": url, "last_opened_at": None, "method": "GET"}


@dataclass(frozen=True)
class NewPayment:
    """One application and the first version of its payment."""

    application_id: uuid.UUID
    payment_id: uuid.UUID
    event: dict[str, Any]


def creation_pending(
    request: ApplicationRequest,
    *,
    base_url: str,
    now: datetime,
    expire_days: int = 90,
    application_id: uuid.UUID | None = None,
    notify_url: str | None = None,
) -> NewPayment:
    """The ``CREATION_PENDING`` event for a new application, links rooted at ``base_url``.

    The notify link is rooted at ``notify_url`` when given: the proxy may reach the platform
    under another name than browsers do (a service name inside a container network).
    """
    application_id = application_id or uuid.uuid4()
    payment_id = uuid.uuid4()
    base = base_url.rstrip("/")
    notify_base = (notify_url or base_url).rstrip("/")
    tax_id = request.payer.tax_identification_number
    stamp = request.document_hash is not None
    payment: dict[str, Any] = {
        "type": "STAMP" if stamp else "PAGOPA",
        "transaction_id": None,
        "paid_at": None,
        "expire_at": (now + timedelta(days=expire_days)).isoformat(),
        "amount": float(request.amount),
        "currency": "EUR",
        "notice_code": None,
        "iud": None,
        "iuv": None,
        "split": [],
    }
    if stamp:
        payment["document"] = {
            "id": str(uuid.uuid5(application_id, "document")),
            "ref": f"{base}/applications/{application_id}",
            "hash": request.document_hash,
        }
    timestamp = now.isoformat()
    event: dict[str, Any] = {
        "id": str(payment_id),
        "user_id": str(user_id_for(tax_id)),
        "type": "PAGOPA",
        "tenant_id": str(request.tenant_id),
        "service_id": str(request.service_id),
        "created_at": timestamp,
        "updated_at": timestamp,
        "status": "CREATION_PENDING",
        "reason": request.reason or f"{application_id} - {tax_id}",
        "remote_id": str(application_id),
        "payment": payment,
        "links": {
            "online_payment_begin": _url_link(None),
            "online_payment_landing": _url_link(f"{base}/applications/{application_id}"),
            "offline_payment": _url_link(None),
            "receipt": _url_link(None),
            "notify": [
                {
                    "url": f"{notify_base}/applications/{application_id}/payment",
                    "method": "POST",
                    "sent_at": None,
                }
            ],
            "update": {"url": None, "last_check_at": None, "next_check_at": None, "method": "GET"},
        },
        "payer": request.payer.model_dump(mode="json"),
        "event_id": str(uuid.uuid4()),
        "event_version": EVENT_VERSION,
        "event_created_at": timestamp,
        "app_id": app_id(),
    }
    return NewPayment(application_id, payment_id, event)
