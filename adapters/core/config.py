"""Tenant and service configurations (OpenCity configuration API v2).

A tenant is a creditor institution; a service is one of its payment
configurations. The form.io schemas served at ``/tenants/schema`` and
``/services/schema`` use these field names as component keys, plus the fields
each intermediary driver declares in its :class:`DriverSpec` (stored in the
same document, validated by the driver's field list).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from adapters.core.intermediary import CreditorConfig, CreditorProfile, Intermediary
from adapters.core.logo import InvalidLogo, logo_bytes
from adapters.core.models import Amount, utcnow


class _Config(BaseModel):
    # Driver fields live beside the standard ones, as the form stores them.
    model_config = ConfigDict(extra="allow")


class TenantConfig(_Config):
    id: uuid.UUID
    name: str = Field(min_length=1, max_length=255)
    tax_identification_number: str = Field(description="creditor fiscal code, 11 digits")
    active: bool = True
    # How the creditor appears on the notices the proxy prints (all optional).
    office: str | None = Field(default=None, max_length=100, description="settore / ufficio")
    contact_info: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=100)
    cbill_code: str | None = Field(default=None, pattern=r"^[A-Z0-9]{5}$")
    postal_account: str | None = Field(default=None, pattern=r"^[0-9]{1,12}$")
    postal_account_holder: str | None = Field(default=None, max_length=100)
    postal_authorization: str | None = Field(default=None, max_length=100)
    logo: list[dict[str, Any]] | None = Field(default=None, description="form.io file value")
    logo_url: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RemoteCollection(BaseModel):
    id: uuid.UUID
    type: Literal["application", "service", "other"] = "service"


class ReceiverConfig(BaseModel):
    tax_identification_number: str
    name: str = Field(min_length=1, max_length=255)
    iban: str | None = None


class ServiceConfig(_Config):
    id: uuid.UUID
    tenant_id: uuid.UUID
    payment_type: Literal["pagopa", "stamp"] = "pagopa"
    remote_collection: RemoteCollection | None = None
    amount: Amount | None = Field(default=None, gt=0)
    reason: str | None = Field(default=None, min_length=1, max_length=255)
    expire_at: int | None = Field(default=None, gt=0, description="days of validity")
    receiver: ReceiverConfig | None = None
    collection_data: str | None = Field(default=None, description="pagoPA taxonomy")
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


def creditor_config(tenant: TenantConfig, service: ServiceConfig) -> CreditorConfig:
    """The resolved view a driver receives: driver fields of tenant, then service."""
    settings: dict[str, Any] = {}
    settings.update(tenant.model_extra or {})
    settings.update(service.model_extra or {})
    settings["payment_type"] = service.payment_type
    if service.collection_data:
        settings.setdefault("taxonomy", service.collection_data)
    return CreditorConfig(
        tenant_id=tenant.id,
        service_id=service.id,
        creditor_fiscal_code=tenant.tax_identification_number,
        creditor_name=tenant.name,
        settings=settings,
        profile=creditor_profile(tenant),
    )


def creditor_profile(tenant: TenantConfig) -> CreditorProfile:
    """What the notices show about the creditor besides its name and fiscal code."""
    logo: bytes | None = None
    if tenant.logo:
        try:
            logo = logo_bytes(tenant.logo)
        except InvalidLogo:
            logo = None  # checked when stored; a notice without the logo beats no notice
    return CreditorProfile(
        office=tenant.office,
        contact_info=tenant.contact_info,
        website=tenant.website,
        cbill_code=tenant.cbill_code,
        logo=logo,
        postal_account=tenant.postal_account,
        postal_account_holder=tenant.postal_account_holder,
        postal_authorization=tenant.postal_authorization,
    )


@dataclass(frozen=True)
class ConfigField:
    """A configuration field a driver needs, rendered as a form.io component."""

    key: str
    label: str
    level: Literal["tenant", "service"]
    required: bool = True
    description: str = ""
    # "env" marks a secret: the form stores the *name* of an environment variable.
    kind: Literal["text", "env", "select"] = "text"
    pattern: str | None = None
    default: str | None = None
    options: Sequence[str] = ()


@dataclass(frozen=True)
class DriverSpec:
    """How to build a driver and what configuration it needs."""

    name: str
    title: str
    fields: Sequence[ConfigField]
    factory: Callable[[], Intermediary]
    extra: dict[str, Any] = field(default_factory=dict)

    def fields_for(self, level: Literal["tenant", "service"]) -> list[ConfigField]:
        return [f for f in self.fields if f.level == level]
