"""A test helper: one citizen's payment through the whole stack, end to end, per intermediary.

Application on the platform → ``CREATION_PENDING`` on the bus → the proxy
creates the debt position on the intermediary simulator → ``PAYMENT_PENDING``
with notice code, IUV and links → the notice PDF → the online payment walked
through the checkout pages → the Nodo closes the position at the intermediary's
station → the proxy confirms with the intermediary → ``COMPLETE`` → receipt.

Every step is timed and reported; the first failure ends that intermediary's
journey with what was seen.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from collaudo.citizen import Citizen
from collaudo.stack import DEMO_TENANT_ID, SUOLO_PUBBLICO_ID, Intermediary, Stack


@dataclass
class StepResult:
    name: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class JourneyResult:
    intermediary: str
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)


class StepFailed(AssertionError):
    pass


async def _eventually(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise StepFailed(f"timed out after {timeout:.0f} s waiting for {what}")


class Journey:
    """The steps, sharing one HTTP client and what earlier steps learnt."""

    def __init__(self, stack: Stack, http: httpx.AsyncClient) -> None:
        self.stack = stack
        self.http = http
        self.payment_id = ""
        self.event: dict[str, Any] = {}

    def url(self, component: str, path: str) -> str:
        return self.stack.urls[component] + path

    async def latest(self) -> dict[str, Any]:
        response = await self.http.get(self.url("platform", f"/payments/{self.payment_id}"))
        return dict(response.json()) if response.status_code == 200 else {}

    async def wait_status(self, status: str) -> dict[str, Any]:
        async def seen() -> dict[str, Any] | None:
            event = await self.latest()
            if event.get("status") == "CREATION_FAILED":
                raise StepFailed(f"creation failed: {event.get('status_reason')}")
            return event if event.get("status") == status else None

        event: dict[str, Any] = await _eventually(seen, f"status {status}")
        self.event = event
        return event

    async def create_application(self) -> str:
        response = await self.http.post(
            self.url("platform", "/applications"),
            json={
                "tenant_id": str(DEMO_TENANT_ID),
                "service_id": str(SUOLO_PUBBLICO_ID),
                "amount": 20.00,
                "reason": "Diritti di segreteria - occupazione suolo pubblico",
                "payer": {
                    "type": "human",
                    "tax_identification_number": "RSSMRA80A01H501U",
                    "name": "Mario",
                    "family_name": "Rossi",
                    "email": "mario.rossi@example.org",
                },
            },
        )
        if response.status_code != 201:
            raise StepFailed(f"platform answered HTTP {response.status_code}: {response.text}")
        self.payment_id = response.json()["payment_id"]
        uuid.UUID(self.payment_id)
        return f"payment {self.payment_id}"

    async def payment_pending(self) -> str:
        event = await self.wait_status("PAYMENT_PENDING")
        payment, links = event["payment"], event["links"]
        for key in ("notice_code", "iuv", "iud"):
            if not payment.get(key):
                raise StepFailed(f"PAYMENT_PENDING without payment.{key}")
        for key in ("online_payment_begin", "offline_payment", "update"):
            if not links[key].get("url"):
                raise StepFailed(f"PAYMENT_PENDING without links.{key}.url")
        return f"notice {payment['notice_code']}, IUV {payment['iuv']}"

    async def notice(self) -> str:
        response = await self.http.get(self.event["links"]["offline_payment"]["url"])
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise StepFailed(f"notice: HTTP {response.status_code}, not a PDF")
        return f"PDF, {len(response.content)} bytes"

    async def receipt_refused_before_payment(self) -> str:
        response = await self.http.get(self.url("proxy", f"/receipt/{self.payment_id}"))
        if response.status_code != 409:
            raise StepFailed(f"receipt before payment: HTTP {response.status_code}, not 409")
        return "409 while unpaid"

    async def pay_online(self) -> str:
        begin = self.event["links"]["online_payment_begin"]["url"]
        result = await Citizen().pay_online(begin)
        if result.outcome != "OK":
            raise StepFailed(f"checkout outcome {result.outcome}, pages {result.pages}")
        if result.return_url:
            landing = await self.http.get(result.return_url)
            if landing.status_code >= 400:
                raise StepFailed(f"landing {result.return_url}: HTTP {landing.status_code}")
        return f"paid with the test card, back to {result.return_url}"

    async def complete(self) -> str:
        async def done() -> bool:
            await self.http.get(self.url("proxy", f"/update/{self.payment_id}"))
            return (await self.latest()).get("status") == "COMPLETE"

        await _eventually(done, "status COMPLETE")
        self.event = await self.latest()
        return f"paid at {self.event['payment'].get('paid_at')}"

    async def receipt(self) -> str:
        response = await self.http.get(self.url("proxy", f"/receipt/{self.payment_id}"))
        if response.status_code != 200 or not response.content:
            raise StepFailed(f"receipt: HTTP {response.status_code} {response.text[:200]}")
        iuv = self.event["payment"]["iuv"]
        if iuv.encode() not in response.content:
            raise StepFailed(f"the receipt does not mention IUV {iuv}")
        return f"{response.headers.get('content-type')}, {len(response.content)} bytes"

    def steps(self) -> list[tuple[str, Callable[[], Awaitable[str]]]]:
        return [
            ("application submitted on the platform", self.create_application),
            ("debt position created (PAYMENT_PENDING)", self.payment_pending),
            ("paper notice (avviso) downloaded", self.notice),
            ("receipt refused before payment", self.receipt_refused_before_payment),
            ("paid online through the checkout", self.pay_online),
            ("payment confirmed by the intermediary (COMPLETE)", self.complete),
            ("receipt downloaded", self.receipt),
        ]


async def run_journey(
    stack: Stack, on_step: Callable[[StepResult], None] | None = None
) -> JourneyResult:
    result = JourneyResult(stack.options.intermediary)
    async with httpx.AsyncClient(timeout=20) as http:
        journey = Journey(stack, http)
        for name, step in journey.steps():
            started = time.monotonic()
            try:
                detail, ok = await step(), True
            except Exception as exc:  # every failure is reported, none ends the run
                detail, ok = f"{type(exc).__name__}: {exc}", False
            outcome = StepResult(name, ok, time.monotonic() - started, detail)
            result.steps.append(outcome)
            if on_step:
                on_step(outcome)
            if not ok:
                break
    return result


INTERMEDIARY_TITLES: dict[Intermediary, str] = {
    "mypay": "MyPay (SOAP)",
    "gpd": "pagoPA GPD (REST)",
    "govpay": "GovPay (REST, API Ente v2)",
}
