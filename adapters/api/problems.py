"""RFC 7807 problem details: every error the proxy's HTTP face returns.

A handler raises :class:`Problem` (or lets a core/driver error escape); the
exception handlers installed by :func:`install_problem_handlers` turn it into
``application/problem+json`` with a ``detail`` that says what to do next.
Intermediary failures map to 502 (it answered badly / refused), 503 (it could
not be reached) or 504 (it did not answer in time); never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from adapters.core.errors import (
    ConfigurationMissing,
    PaymentNotFound,
    PaymentNotPaid,
    PaymentStateError,
)
from adapters.core.intermediary import (
    AccessDenied,
    IntermediaryError,
    IntermediaryUnavailable,
    NotPaidYet,
    PositionNotFound,
    RequestRejected,
    VerbNotImplemented,
)
from adapters.i18n import N_, negotiate, use_language
from adapters.i18n import gettext as _

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://collaudo.invalid/problems/"


# Starlette's HTTPException details the proxy translates (marked for extraction).
HTTP_TITLES = frozenset(
    {
        N_("Not Found"),
        N_("Method Not Allowed"),
        N_("Unauthorized"),
        N_("Forbidden"),
        N_("Bad Request"),
        N_("Request Entity Too Large"),
        N_("Unsupported Media Type"),
    }
)


# What not_found() may name.
NOUNS = (N_("tenant"), N_("service"), N_("payment"), N_("import"))


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


class Problem(Exception):
    """An error answer: status, short title, and a detail saying what to do next."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self, instance: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            data["instance"] = instance
        if self.errors:
            data["errors"] = self.errors
        data.update(self.extra)
        return data

    def response(self, instance: str | None = None) -> Response:
        return ProblemResponse(self.body(instance), status_code=self.status, headers=self.headers)


def field_errors(errors: Sequence[tuple[str, str]]) -> Problem:
    """422 listing each invalid field (dotted path) with the reason."""
    listed = [{"field": name, "message": message} for name, message in errors]
    fields = ", ".join(dict.fromkeys(name for name, _ in errors))
    return Problem(
        422,
        _("Invalid fields"),
        _("fix these fields and send the request again: %(fields)s") % {"fields": fields},
        kind="invalid-fields",
        errors=listed,
    )


def not_found(what: str, ident: object, hint: str) -> Problem:
    """404 for a missing ``what`` (one of :data:`NOUNS`) and what to do (``hint``, marked
    with ``N_``): both translated here."""
    detail = _("no %(what)s with id %(id)s: %(hint)s") % {
        "what": _(what),
        "id": ident,
        "hint": _(hint),
    }
    return Problem(404, _("Not found"), detail, kind="not-found")


def from_intermediary_error(exc: IntermediaryError) -> Problem:
    """Map a driver error to 502/503/504 (or 404/409 when it says so), with its reason."""
    reason = exc.describe()
    intermediary = {"intermediary_error": type(exc).__name__, "code": exc.code}
    if isinstance(exc, VerbNotImplemented):
        return Problem(
            501,
            "Not implemented by the driver",
            f"{reason}; complete the driver (adapters/drivers/) and run the suite again",
            kind="intermediary-verb-not-implemented",
            extra={**intermediary, "verb": exc.verb},
        )
    if isinstance(exc, NotPaidYet):
        return Problem(
            409,
            _("Not paid yet"),
            _(
                "the intermediary has no receipt yet (%(reason)s); "
                "retry once the payment is complete"
            )
            % {"reason": reason},
            kind="not-paid",
            extra=intermediary,
        )
    if isinstance(exc, PositionNotFound):
        return Problem(
            502,
            _("Unknown debt position"),
            _(
                "the intermediary does not know this debt position (%(reason)s); "
                "check the service configuration and the intermediary's archive"
            )
            % {"reason": reason},
            kind="intermediary-position-not-found",
            extra=intermediary,
        )
    if isinstance(exc, IntermediaryUnavailable):
        timed_out = "timeout" in reason.lower() or "timed out" in reason.lower()
        return Problem(
            504 if timed_out else 503,
            _("Intermediary timeout") if timed_out else _("Intermediary unavailable"),
            _(
                "the intermediary could not be reached (%(reason)s); retry later, and check its "
                "URL and that this host's address is allow-listed if it keeps failing"
            )
            % {"reason": reason},
            kind="intermediary-timeout" if timed_out else "intermediary-unavailable",
            headers={"Retry-After": "30"},
            extra=intermediary,
        )
    if isinstance(exc, AccessDenied):
        hint = _("check the credentials configured for this tenant and the IP allow-list")
    elif isinstance(exc, RequestRejected):
        hint = _("check the payment data and the service configuration")
    else:
        hint = _("retry later; if it persists report the exchange to the intermediary")
    return Problem(
        502,
        _("Intermediary error"),
        _("the intermediary failed (%(reason)s); %(hint)s") % {"reason": reason, "hint": hint},
        kind="intermediary-error",
        extra=intermediary,
    )


async def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return exc.response(request.url.path)


async def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own details ("Not Found", ...) are English: the kind keeps them.
    kind = str(exc.detail).lower().replace(" ", "-")
    title = _(str(exc.detail)) if exc.detail in HTTP_TITLES else str(exc.detail)
    detail = title
    if exc.status_code == 404:
        detail = _("%(title)s: check the path against the OpenAPI document at /docs") % {
            "title": title
        }
    elif exc.status_code == 405:
        detail = _("%(title)s: check the method against the OpenAPI document at /docs") % {
            "title": title
        }
    problem = Problem(exc.status_code, title, detail, kind=kind, headers=dict(exc.headers or {}))
    return problem.response(request.url.path)


async def _intermediary_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IntermediaryError)
    logger.warning("intermediary failure on %s: %s", request.url.path, exc.describe())
    return from_intermediary_error(exc).response(request.url.path)


async def _payment_handler(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PaymentNotFound):
        problem = Problem(404, _("Payment not found"), str(exc), kind="payment-not-found")
    elif isinstance(exc, PaymentNotPaid):
        problem = Problem(
            409,
            _("Not paid yet"),
            str(exc),
            kind="not-paid",
            extra={"payment_status": exc.status.value},
        )
    elif isinstance(exc, PaymentStateError):
        problem = Problem(
            409,
            _("Wrong payment status"),
            str(exc),
            kind="payment-state",
            extra={"payment_status": exc.status.value},
        )
    else:
        problem = Problem(
            409,
            _("Configuration missing"),
            _(
                "%(reason)s; activate the tenant and service configuration (PUT /tenants/{id}, "
                "PUT /services/{id}) and retry"
            )
            % {"reason": exc},
            kind="configuration-missing",
        )
    return problem.response(request.url.path)


async def _unexpected_handler(request: Request, exc: Exception) -> Response:
    # The traceback goes to the log, never to the caller.
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    # Starlette runs this handler outside the middleware stack: choose the language again.
    with use_language(negotiate(request.headers.get("accept-language"))):
        return _internal_error(type(exc).__name__).response(request.url.path)


def _internal_error(error: str) -> Problem:
    return Problem(
        500,
        _("Internal error"),
        _(
            "the proxy failed unexpectedly (%(error)s); the log has the details, "
            "retry and report it if it persists"
        )
        % {"error": error},
        kind="internal-error",
    )


def exception_handlers() -> dict[Any, Any]:
    """Handlers for ``Starlette(exception_handlers=...)``."""
    return {
        Problem: _problem_handler,
        HTTPException: _http_handler,
        IntermediaryError: _intermediary_handler,
        PaymentNotFound: _payment_handler,
        PaymentStateError: _payment_handler,
        ConfigurationMissing: _payment_handler,
        Exception: _unexpected_handler,
    }
