"""The platform simulator's HTTP face (Starlette).

``POST /applications`` · ``GET /applications/{id}`` · ``POST /applications/{id}/payment``
(notify receiver) · ``GET /payments/{id}`` · ``GET /`` (citizen's page) · ``GET /events``
(what the platform published) · ``GET /status`` · ``/_admin/``.

Environment variables (read by ``collaudo sim platform``, see :mod:`simulators.common.env`;
prefix ``COLLAUDO_PLATFORM_`` + a :class:`Settings` field; flags win over variables):

- ``COLLAUDO_PLATFORM_PUBLIC_URL``: base of the links browsers follow (the landing page);
  default: the URL each request came on. Flag ``--public-url``.
- ``COLLAUDO_PLATFORM_NOTIFY_URL``: base of the notify URL the proxy calls back; default: the
  public URL. In containers: the service name (``http://platform:8001``). Flag ``--notify-url``.
- ``COLLAUDO_PLATFORM_HOST``, ``COLLAUDO_PLATFORM_PORT``, ``COLLAUDO_PLATFORM_TENANT_ID``,
  ``COLLAUDO_PLATFORM_SERVICE_ID``, ``COLLAUDO_PLATFORM_AMOUNT``,
  ``COLLAUDO_PLATFORM_EXPIRE_DAYS``, ``COLLAUDO_PLATFORM_KAFKA_BOOTSTRAP``,
  ``COLLAUDO_PLATFORM_FAULTS``, ``COLLAUDO_PLATFORM_ALLOWLIST``,
  ``COLLAUDO_PLATFORM_ALLOWLIST_MODE``: the fields of the same names.
- ``COLLAUDO_KAFKA_BOOTSTRAP``: the Kafka bootstrap servers when
  ``COLLAUDO_PLATFORM_KAFKA_BOOTSTRAP`` is unset (shared with the proxy); unset: memory only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from simulators.common.access import Allowlist, AllowlistMiddleware, AllowMode
from simulators.common.admin import admin_mount, problem
from simulators.common.checks import fault_specs, networks, port_number, url_setting
from simulators.common.env import setting
from simulators.common.faults import FaultSpec
from simulators.common.metrics import MetricsMiddleware, SimulatorMetrics, metrics_route
from simulators.platform import pages
from simulators.platform.events import app_id
from simulators.platform.models import (
    DEMO_TENANT_ID,
    OCCUPAZIONE_SUOLO_ID,
    ApplicationRequest,
    MalformedEvent,
    field_errors,
    parse_event,
    summary,
)
from simulators.platform.publishing import (
    EventPublisher,
    EventSource,
    KafkaPublisher,
    Outbox,
    kafka_events,
    raw_value,
)
from simulators.platform.state import Application, Outcome, Platform

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8001
MAX_EVENT_BYTES = 1024 * 1024
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _kafka_from_env() -> str | None:
    return os.environ.get("COLLAUDO_KAFKA_BOOTSTRAP") or None


@dataclass
class Settings:
    """The platform simulator's settings; defaults are DESIGN.md's demo data."""

    # Where runners (``collaudo sim``, ``collaudo up``) serve it.
    host: str = field(default="127.0.0.1", metadata=setting("address to listen on"))
    port: int = field(default=DEFAULT_PORT, metadata=setting("port", check=port_number))
    # Base of the links browsers follow (landing); default: the URL it was called on.
    public_url: str | None = field(
        default=None,
        metadata=url_setting("base of the links for browsers (landing page)"),
    )
    tenant_id: uuid.UUID = field(default=DEMO_TENANT_ID, metadata=setting("tenant of /"))
    service_id: uuid.UUID = field(  # the one-click form on ``/``
        default=OCCUPAZIONE_SUOLO_ID, metadata=setting("service of the form on /")
    )
    amount: Decimal = field(default=Decimal("20.00"), metadata=setting("amount on /, euro"))
    expire_days: int = field(default=90, metadata=setting("days until a payment expires"))
    kafka_bootstrap: str | None = field(
        default_factory=_kafka_from_env,
        metadata=setting("Kafka bootstrap servers (unset: memory only)"),
    )
    faults: list[str] = field(
        default_factory=list, metadata=setting("fault profiles", check=fault_specs("platform"))
    )
    allowlist: list[str] = field(
        default_factory=list, metadata=setting("networks allowed in", check=networks)
    )
    allowlist_mode: AllowMode = field(default="403", metadata=setting("403 or refuse"))
    # Base of the notify URL published for the proxy's callbacks; default: public_url. Apart
    # because a proxy in another container reaches the platform under its service name.
    notify_url: str | None = field(
        default=None,
        metadata=url_setting("base of the notify URL the proxy calls back"),
    )


ENV_PREFIX = "COLLAUDO_PLATFORM_"
# Read elsewhere than by the prefix rule; listed by ``collaudo sim platform --help``.
ENV_EXTRA = {"COLLAUDO_KAFKA_BOOTSTRAP": "Kafka bootstrap servers, if the field is unset"}


def _outbox(
    settings: Settings, publisher: EventPublisher | None
) -> tuple[Outbox, KafkaPublisher | None]:
    if publisher is not None:
        return Outbox(publisher, f"the injected publisher ({type(publisher).__name__})"), None
    if settings.kafka_bootstrap:
        kafka = KafkaPublisher(settings.kafka_bootstrap)
        return Outbox(kafka, f"Kafka at {settings.kafka_bootstrap}, topic payments"), kafka
    return (
        Outbox(None, "memory only (COLLAUDO_KAFKA_BOOTSTRAP is unset): see GET /events"),
        None,
    )


async def consume(platform: Platform, source: EventSource) -> None:
    """Track every payment event on the topic; malformed ones are logged and skipped."""
    try:
        async for item in source:
            try:
                event, document = parse_event(raw_value(item))
            except MalformedEvent as exc:
                logger.warning("skipped a malformed event on topic payments: %s", exc.reason)
            else:
                platform.receive(event, document, via="topic")
            # A bus message (the proxy's Bus) is acknowledged once handled, bad or good.
            commit = getattr(item, "commit", None)
            if commit is not None:
                await commit()
    except Exception:
        logger.exception("the payments event source failed; the platform stops reading it")


def _base_url(settings: Settings, request: Request) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


def _notify_url(settings: Settings, request: Request) -> str:
    return (settings.notify_url or _base_url(settings, request)).rstrip("/")


def _form_to_body(form: Any) -> dict[str, Any]:
    """Flat ``payer.name`` form fields to the JSON body's shape; blanks mean "not given"."""
    body: dict[str, Any] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str) or not value.strip():
            continue
        if key.startswith("payer."):
            body.setdefault("payer", {})[key.removeprefix("payer.")] = value
        else:
            body[key] = value
    return body


class _Rejected(Exception):
    """An application the platform refuses, with the fields at fault."""

    def __init__(self, status: int, title: str, errors: list[dict[str, str]]) -> None:
        super().__init__(title)
        self.status, self.title, self.errors = status, title, errors

    def response(self) -> JSONResponse:
        body = {
            "status": self.status,
            "title": self.title,
            "detail": summary(self.errors),
            "errors": self.errors,
        }
        return JSONResponse(body, status_code=self.status)


def _application(platform: Platform, raw_id: str) -> Application | None:
    try:
        return platform.applications.get(uuid.UUID(raw_id))
    except ValueError:
        return None


def create_app(
    settings: Settings | None = None,
    *,
    publisher: EventPublisher | None = None,
    source: EventSource | None = None,
) -> Starlette:
    """The platform simulator.

    ``publisher`` receives the payment events (the proxy's bus under ``collaudo up``);
    ``source`` yields the raw events of the ``payments`` topic, to follow the proxy's
    updates without notify callbacks. Without them: Kafka if configured, else memory.
    """
    settings = settings or Settings()
    outbox, kafka = _outbox(settings, publisher)
    platform = Platform(outbox, expire_days=settings.expire_days)
    for spec in settings.faults:
        parsed = FaultSpec.parse(spec)
        platform.faults.activate(parsed.name, rate=parsed.rate, seed=parsed.seed)
    if source is None and kafka is not None:
        source = kafka_events(kafka.bootstrap)

    async def submit(request: Request, body: Any) -> Application:
        try:
            application_request = ApplicationRequest.model_validate(body)
        except ValidationError as exc:
            raise _Rejected(422, "Invalid application", field_errors(exc)) from exc
        try:
            new = await platform.submit(
                application_request,
                _base_url(settings, request),
                notify_url=_notify_url(settings, request),
            )
        except Exception as exc:
            logger.exception("publishing CREATION_PENDING failed")
            message = (
                f"could not publish the payment event on topic payments ({exc}); "
                "nothing was created, retry when the bus is back"
            )
            errors = [{"field": "(bus)", "message": message}]
            raise _Rejected(503, "Event not published", errors) from exc
        return platform.applications[new.application_id]

    async def create_application(request: Request) -> Response:
        if request.headers.get("content-type", "").startswith(_FORM_TYPES):
            async with request.form() as form:
                body = _form_to_body(form)
            try:
                application = await submit(request, body)
            except _Rejected as rejected:
                return HTMLResponse(
                    pages.error_page("La pratica non è stata presentata", rejected.errors),
                    status_code=rejected.status,
                )
            return RedirectResponse(f"/applications/{application.id}", status_code=303)
        try:
            body = json.loads(await request.body())
            application = await submit(request, body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _Rejected(
                422, "Invalid application", [{"field": "(body)", "message": f"is not JSON: {exc}"}]
            ).response()
        except _Rejected as rejected:
            return rejected.response()
        base = _base_url(settings, request)
        record = platform.payment_of(application)
        return JSONResponse(
            {
                "application_id": str(application.id),
                "payment_id": str(application.payment_id),
                "status": record.status,
                "links": {
                    "application": f"{base}/applications/{application.id}",
                    "payment": f"{base}/payments/{application.payment_id}",
                },
                "event": record.document,
            },
            status_code=201,
            headers={"location": f"{base}/applications/{application.id}"},
        )

    async def show_application(request: Request) -> Response:
        application = _application(platform, request.path_params["id"])
        if application is None:
            message = [{"field": "id", "message": "no such application on this platform"}]
            return HTMLResponse(pages.error_page("Pratica non trovata", message), 404)
        return HTMLResponse(pages.application_page(platform, application))

    async def notify(request: Request) -> Response:
        application = _application(platform, request.path_params["id"])
        if application is None:
            return problem(
                404,
                "Unknown application",
                f"no application {request.path_params['id']} on this platform; "
                "notify only the URL published in the event's links.notify",
            )
        raw = await request.body()
        if len(raw) > MAX_EVENT_BYTES:
            return problem(413, "Event too large", f"{len(raw)} bytes; at most {MAX_EVENT_BYTES}")
        try:
            event, document = parse_event(raw)
        except MalformedEvent as exc:
            return JSONResponse(
                {
                    "status": 400,
                    "title": "Malformed payment event",
                    "detail": exc.reason,
                    "errors": exc.errors,
                },
                status_code=400,
            )
        if event.id != application.payment_id:
            return problem(
                422,
                "Payment of another application",
                f"event is about payment {event.id}, application {application.id} "
                f"has payment {application.payment_id}",
            )
        outcome = platform.receive(event, document, via="notify")
        latest = platform.payment_of(application)
        return JSONResponse(
            {
                "outcome": outcome.value,
                "stored": outcome is Outcome.STORED,
                "status": latest.status,
                "event_id": str(event.event_id),
            }
        )

    async def show_payment(request: Request) -> Response:
        try:
            record = platform.payments.get(uuid.UUID(request.path_params["id"]))
        except ValueError:
            record = None
        if record is None:
            return problem(
                404,
                "Unknown payment",
                f"the platform has seen no event for payment {request.path_params['id']}",
            )
        return JSONResponse(record.document)

    async def events(request: Request) -> Response:
        return JSONResponse(
            {
                "publisher": outbox.description,
                "count": len(outbox.events),
                "events": [e.to_dict() for e in outbox.events],
            }
        )

    async def citizen(request: Request) -> Response:
        page = pages.citizen_page(
            platform, settings.tenant_id, settings.service_id, settings.amount
        )
        return HTMLResponse(page)

    async def status(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "simulator": "platform",
                "app_id": app_id(),
                "publisher": outbox.description,
                "reads_topic": source is not None,
                "applications": len(platform.applications),
                "payments": len(platform.payments),
                "events_published": len(outbox.events),
            }
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        logger.info("platform simulator: payment events go to %s", outbox.description)
        if kafka is not None:
            await kafka.start()
        task = asyncio.create_task(consume(platform, source)) if source is not None else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if kafka is not None:
                await kafka.stop()

    allowlist = Allowlist(settings.allowlist, settings.allowlist_mode)
    metrics = SimulatorMetrics(
        "platform",
        [platform.faults],
        lambda: {
            "applications": len(platform.applications),
            "payments": len(platform.payments),
            "events_published": len(outbox.events),
        },
    )
    app = Starlette(
        routes=[
            metrics_route(metrics),
            Route("/", citizen, methods=["GET"]),
            Route("/status", status, methods=["GET"]),
            Route("/events", events, methods=["GET"]),
            Route("/applications", create_application, methods=["POST"]),
            Route("/applications/{id}", show_application, methods=["GET"]),
            Route("/applications/{id}/payment", notify, methods=["POST"]),
            Route("/payments/{id}", show_payment, methods=["GET"]),
            admin_mount(platform),
        ],
        middleware=[
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(AllowlistMiddleware, allowlist=allowlist),
        ],
        lifespan=lifespan,
    )
    app.state.platform = platform
    app.state.metrics = metrics
    app.state.allowlist = allowlist  # for the server runner: a refuse-mode allowlist acts there
    # Lines for whoever starts the simulator to read (the CLI prints them).
    app.state.notes = [
        f"payment events: {outbox.description}",
        f"links for browsers: {settings.public_url or 'the URL each request came on'}",
        f"notify URL base: {settings.notify_url or 'as the links for browsers'}",
    ]
    return app
