"""Operational endpoints: ``/status``, ``/metrics``, ``/docs`` (OpenAPI JSON), ``/docs/ui``.

``/status`` answers 200 when the store and the bus work, else 503 naming what
is down; the intermediary's reachability is deliberately not part of it (a
vendor outage must not make the orchestrator restart the proxy).
"""

from __future__ import annotations

import html
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from adapters.api.openapi_parts import json_ok, ref
from adapters.core.metrics import ProxyMetrics
from adapters.core.runtime import ProxyRuntime
from adapters.core.store import Store

logger = logging.getLogger(__name__)


def _check_store(store: Store) -> str | None:
    try:
        store.outbox_backlog()
    except Exception as exc:  # any failure means the store is down, whatever the cause
        return f"the store cannot be read ({type(exc).__name__}: {exc})"
    return None


def _check_bus(bus: object) -> str | None:
    if getattr(bus, "closed", False):
        return "the bus is closed"
    healthy = getattr(bus, "healthy", None)
    if callable(healthy):
        try:
            if not healthy():
                return "the bus reports it is not connected"
        except Exception as exc:  # a probe that fails is a down bus
            return f"the bus health check failed ({type(exc).__name__}: {exc})"
    return None


def _check_runtime(runtime: ProxyRuntime | None, started: bool) -> str | None:
    """Once started, every loop of the runtime (``runtime.LOOPS``) must be running."""
    if runtime is None or not started:
        return None
    stopped = [name for name, health in runtime.health.items() if not health.running]
    if not stopped:
        return None
    reasons = [f"{name} ({runtime.health[name].last_error or 'not running'})" for name in stopped]
    return f"loops stopped: {', '.join(reasons)}"


async def status(request: Request) -> Response:
    state = request.app.state
    checks: dict[str, dict[str, Any]] = {}
    for name, problem in (
        ("store", _check_store(state.store)),
        ("bus", _check_bus(state.bus)),
        ("runtime", _check_runtime(state.runtime, state.runtime_started)),
    ):
        checks[name] = {"ok": problem is None, **({"problem": problem} if problem else {})}
    down = [name for name, check in checks.items() if not check["ok"]]
    body = {
        "status": "down" if down else "ok",
        "down": down,
        "checks": checks,
        "intermediary": state.driver.name,
        "app_id": state.app_id,
        "replica": state.replica_id,
    }
    if down:
        body["detail"] = f"{', '.join(down)} down: see checks for the reason"
        logger.warning("status: %s down", ", ".join(down))
    return JSONResponse(body, status_code=503 if down else 200)


async def metrics(request: Request) -> Response:
    registry: ProxyMetrics = request.app.state.metrics
    try:
        registry.outbox_backlog.set(request.app.state.store.outbox_backlog())
    except Exception:  # a down store must not hide the other metrics
        logger.warning("metrics: cannot read the outbox backlog", exc_info=True)
    return Response(registry.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


async def openapi_json(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def openapi_ui(request: Request) -> Response:
    """A dependency-free page listing every operation (no CDN: works offline)."""
    doc = request.app.state.openapi
    rows = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            codes = ", ".join(op.get("responses", {}))
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}"
                f"</code></td><td>{html.escape(op.get('summary', ''))}</td><td>{codes}</td></tr>"
            )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(doc['info']['title'])}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:.2em .8em;"
        "border-bottom:1px solid #ddd}</style></head><body>"
        f"<h1>{html.escape(doc['info']['title'])} {html.escape(doc['info']['version'])}</h1>"
        f"<p>{html.escape(doc['info']['description'])}</p>"
        "<p>Machine-readable document: <a href='/docs'>/docs</a> (OpenAPI 3.1 JSON).</p>"
        "<table><tr><th>method</th><th>path</th><th>summary</th><th>responses</th></tr>"
        + "".join(rows)
        + "</table></body></html>"
    )
    return HTMLResponse(page)


ROUTES = [
    Route("/status", status, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/docs", openapi_json, methods=["GET"]),
    Route("/docs/ui", openapi_ui, methods=["GET"]),
]

PATHS: dict[str, Any] = {
    "/status": {
        "get": {
            "tags": ["operations"],
            "operationId": "status",
            "summary": "Health of the proxy (store and bus; not the intermediary)",
            "responses": {
                **json_ok("Everything the proxy needs works", ref("Status")),
                "503": {
                    "description": "A component is down; `down` names it",
                    "content": {"application/json": {"schema": ref("Status")}},
                },
            },
        }
    },
    "/metrics": {
        "get": {
            "tags": ["operations"],
            "operationId": "metrics",
            "summary": "Prometheus metrics (payments created, errors internal/external, ...)",
            "responses": {
                "200": {
                    "description": "Prometheus text exposition format 0.0.4",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    },
    "/docs": {
        "get": {
            "tags": ["operations"],
            "operationId": "openapi",
            "summary": "This OpenAPI document",
            "responses": json_ok("OpenAPI 3.1 document", {"type": "object"}),
        }
    },
    "/docs/ui": {
        "get": {
            "tags": ["operations"],
            "operationId": "openapiPage",
            "summary": "A human-readable list of the operations",
            "responses": {
                "200": {
                    "description": "HTML page",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            },
        }
    },
}
