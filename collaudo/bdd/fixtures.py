"""Typed fixtures of the step library: the target, its running stack, and the scenario's
state objects that steps hand to each other (through ``target_fixture``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest

from collaudo.bdd.world import PROFILES, CollaudoEnv, StackPool
from collaudo.targets import Target, TargetError


@pytest.fixture(scope="session")
def collaudo_target(request: pytest.FixtureRequest) -> Target:
    """The target this scenario runs against (parametrized by the plugin)."""
    name = getattr(request, "param", None)
    profiles = request.config.stash.get(PROFILES, {})
    if name is None or name not in profiles:
        raise TargetError("collaudo_target is set by the collaudo plugin, for scenarios only")
    return profiles[name]


@pytest.fixture(scope="session")
def collaudo_stacks() -> Iterator[StackPool]:
    """Every target's stack, started on first use and stopped at the end of the session."""
    pool = StackPool()
    yield pool
    pool.close()


@pytest.fixture
def env(collaudo_target: Target, collaudo_stacks: StackPool) -> CollaudoEnv:
    """The running target of this scenario."""
    return collaudo_stacks.get(collaudo_target)


# -- state handed from step to step -----------------------------------------------------------


@dataclass(frozen=True)
class Citizen:
    """The person submitting an application ("pratica")."""

    name: str
    family_name: str
    tax_code: str
    email: str = "mario.rossi@example.org"
    province: str = "PI"

    def payer(self) -> dict[str, Any]:
        return {
            "type": "human",
            "tax_identification_number": self.tax_code,
            "name": self.name,
            "family_name": self.family_name,
            "email": self.email,
            "street_name": "Via Roma",
            "building_number": "1",
            "postal_code": "56100",
            "town_name": "Bugliano",
            "country_subdivision": self.province,
            "country": "IT",
        }


@dataclass
class Application:
    """A submitted application and its payment, as the platform answered."""

    application_id: uuid.UUID
    payment_id: uuid.UUID
    service_id: uuid.UUID
    amount: Decimal
    event: dict[str, Any] = field(default_factory=dict)  # the latest event seen
    document_hash: str | None = None  # the stamped document's, for a digital stamp

    @property
    def payment(self) -> dict[str, Any]:
        data: dict[str, Any] = self.event.get("payment", {})
        return data

    def link(self, name: str) -> str:
        url = self.event.get("links", {}).get(name, {}).get("url")
        if not url:
            raise AssertionError(f"the payment event has no links.{name}.url: {self.event}")
        return str(url)


@dataclass
class Answer:
    """The last HTTP answer a step got, kept for the steps that judge it."""

    response: httpx.Response

    @property
    def status(self) -> int:
        return self.response.status_code

    def json(self) -> Any:
        return self.response.json()

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.response.text[:500]}"


@dataclass
class ConfigDraft:
    """A tenant or service the operator is about to send, and what the proxy stored."""

    kind: str  # "tenants" | "services"
    body: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.body["id"])


@pytest.fixture
def cittadino() -> Citizen:
    """The citizen of a scenario that names none: Mario Rossi."""
    return Citizen("Mario", "Rossi", "RSSMRA80A01H501U")
