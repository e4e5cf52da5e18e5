"""``create_app(settings) -> Starlette``: the proxy's HTTP face wired to its core.

Wiring: the :class:`Store` (SQLite file), the bus (memory or Kafka), the
intermediary driver (looked up by name in :data:`adapters.api.drivers.DRIVERS`),
the :class:`PaymentService`, and the :class:`ProxyRuntime` (consumer, poller,
outbox publisher, notifier) started and stopped by the app's lifespan.

Everything can be injected (tests pass a FakeIntermediary, an in-memory store
or a MemoryBus they keep a handle on); what is not injected comes from
:class:`ApiSettings` (environment variables).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware

from adapters.api import (
    cancel,
    citizen,
    config_routes,
    govpay_ente,
    imports,
    ops,
    payments,
    stamps,
)
from adapters.api.accesslog import AccessLogMiddleware
from adapters.api.drivers import load_driver
from adapters.api.openapi import build_openapi
from adapters.api.problems import exception_handlers
from adapters.api.settings import ApiSettings
from adapters.core.bus import Bus, MemoryBus
from adapters.core.config import DriverSpec
from adapters.core.intermediary import Intermediary
from adapters.core.metrics import ProxyMetrics
from adapters.core.runtime import ProxyRuntime
from adapters.core.service import PaymentService
from adapters.core.settings import ProxySettings, proxy_version
from adapters.core.store import Store
from adapters.i18n import LanguageMiddleware

logger = logging.getLogger(__name__)


def make_bus(settings: ApiSettings) -> Bus:
    """The bus named by ``COLLAUDO_BUS``; Kafka is imported only when chosen."""
    if settings.bus == "kafka":
        from adapters.core.kafka import KafkaBus

        return KafkaBus(settings.kafka_bootstrap)
    # Nothing reads the log back in a running proxy: drop what the consumers committed.
    return MemoryBus(keep_acknowledged=False)


def create_app(
    settings: ApiSettings | None = None,
    *,
    driver: DriverSpec | None = None,
    intermediary: Intermediary | None = None,
    store: Store | None = None,
    bus: Bus | None = None,
    run_background: bool = True,
) -> Starlette:
    """Build the proxy application.

    ``run_background=False`` keeps the runtime (consumer, poller, publisher) off:
    tests then drive the service directly and nothing runs behind their back.
    Raises :class:`adapters.api.drivers.DriverMissing` for an unknown driver.
    """
    settings = settings or ApiSettings.from_env()
    driver = driver or load_driver(settings.intermediary)
    intermediary = intermediary if intermediary is not None else driver.factory()
    owns_store = store is None
    store = store if store is not None else Store.open(settings.db_path)
    bus = bus if bus is not None else make_bus(settings)
    metrics = ProxyMetrics()
    proxy_settings = ProxySettings(
        public_url=settings.public_url,
        retention_days=settings.retention_days,
        replica_id=settings.replica_id,
        lease_seconds=settings.lease_seconds,
    )
    service = PaymentService(store, intermediary, bus, proxy_settings, metrics=metrics)
    runtime = ProxyRuntime(service) if run_background else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if runtime is not None:
            await runtime.start()
            app.state.runtime_started = True
        logger.info(
            "payment proxy ready: replica=%s intermediary=%s bus=%s store=%s public_url=%s "
            "token=%s",
            settings.replica_id,
            driver.name,
            settings.bus,
            store.location,
            settings.public_url,
            "set" if settings.api_token else "MISSING (protected APIs answer 401)",
        )
        try:
            yield
        finally:
            if runtime is not None:
                await runtime.stop()  # graceful, within 15 s; closes the service too
                app.state.runtime_started = False
            else:
                await service.aclose()
            if owns_store:
                store.close()

    routes = [
        *config_routes.ROUTES,
        *citizen.ROUTES,
        *cancel.ROUTES,
        *imports.ROUTES,
        *stamps.ROUTES,
        *payments.ROUTES,
        *ops.ROUTES,
    ]
    if driver.name == "govpay":  # GovPay pushes outcomes: the proxy serves its API Ente
        routes.extend(govpay_ente.ROUTES)
    app = Starlette(
        routes=routes,
        # Outermost: the language chosen per request covers the access log and handlers.
        middleware=[Middleware(LanguageMiddleware), Middleware(AccessLogMiddleware)],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.api_token = settings.api_token
    app.state.driver = driver
    app.state.intermediary = intermediary
    app.state.store = store
    app.state.bus = bus
    app.state.metrics = metrics
    app.state.service = service
    app.state.runtime = runtime
    app.state.runtime_started = False
    app.state.app_id = proxy_settings.app_id
    app.state.replica_id = settings.replica_id
    app.state.openapi = build_openapi(
        driver, version=proxy_version(), server_url=settings.public_url
    )
    return app
