"""CSV import of pending payments: ``POST /imports`` and the engine behind ``collaudo import-csv``.

The columns are documented in :mod:`adapters.api.csv_rows` (and in the OpenAPI
document). Each valid row becomes a payment through
:meth:`PaymentService.import_payment`: a row with a notice number is registered
as ``PAYMENT_PENDING`` (the position exists already), a row without one is
created on the intermediary. Rows are idempotent (the row key is tenant+notice,
or a hash of the normalised row), so importing a file twice creates nothing new.
Invalid rows are reported with their line number and reason; the valid rows
beside them are always processed.

Send the file as ``multipart/form-data`` (field ``file``, plus ``tenant_id`` and
``service_id`` fields or query parameters) or as a ``text/csv`` body with
``?tenant_id=...&service_id=...``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.api.auth import require_token
from adapters.api.csv_rows import (
    KNOWN_COLUMNS,
    REQUIRED_COLUMNS,
    CsvFileError,
    CsvRow,
    RowError,
    parse_csv,
)
from adapters.api.openapi_parts import SECURITY, json_ok, problems, ref
from adapters.api.problems import Problem, field_errors
from adapters.core.errors import ConfigurationMissing
from adapters.core.intermediary import IntermediaryError
from adapters.core.models import PaymentStatus
from adapters.core.service import PaymentService

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass
class RowResult:
    line: int
    outcome: str  # created | registered | unchanged | error
    payment_id: uuid.UUID | None = None
    status: str | None = None
    notice_number: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "outcome": self.outcome,
            "payment_id": str(self.payment_id) if self.payment_id else None,
            "status": self.status,
            "notice_number": self.notice_number,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    """What an import did, row by row; ``errors`` carry line numbers and reasons."""

    tenant_id: uuid.UUID
    service_id: uuid.UUID
    delimiter: str = ","
    total: int = 0
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenant_id": str(self.tenant_id),
            "service_id": str(self.service_id),
            "delimiter": self.delimiter,
            "total": self.total,
            "created": self.count("created"),
            "registered": self.count("registered"),
            "unchanged": self.count("unchanged"),
            "failed": len(self.errors),
            "errors": [e.to_dict() for e in sorted(self.errors, key=lambda e: e.line)],
            "rows": [r.to_dict() for r in sorted(self.rows, key=lambda r: r.line)],
            "ignored_columns": self.ignored_columns,
        }


Progress = Callable[[int, int, RowResult], None]


async def _import_row(service: PaymentService, report: ImportReport, row: CsvRow) -> RowResult:
    try:
        result = await service.import_payment(
            tenant_id=report.tenant_id,
            service_id=report.service_id,
            row_key=row.row_key,
            amount=row.amount,
            reason=row.reason,
            payer=row.payer,
            notice_number=row.notice_number,
            expire_at=row.expire_at,
            remote_id=row.remote_id,
            created_at=row.created_at,
        )
    except ConfigurationMissing:
        raise  # the whole import is pointless: the caller reports it once
    except IntermediaryError as exc:
        service.metrics.processing_errors.labels(kind="external").inc()
        return RowResult(row.line, "error", reason=f"the intermediary failed: {exc.describe()}")
    except ValueError as exc:
        service.metrics.processing_errors.labels(kind="internal").inc()
        return RowResult(row.line, "error", reason=str(exc))
    event = result.event
    outcome = "unchanged"
    if result.created:
        outcome = "registered" if row.notice_number else "created"
    status = event.status
    reason = None
    if status is PaymentStatus.CREATION_PENDING:
        stored = service.store.get_payment(result.payment_id)
        last_error = stored.last_error if stored else None
        reason = f"creation will be retried: {last_error}" if last_error else None
    elif status is PaymentStatus.CREATION_FAILED:
        stored = service.store.get_payment(result.payment_id)
        reason = stored.last_error if stored else "creation failed"
    return RowResult(
        row.line,
        outcome,
        result.payment_id,
        status.value,
        event.payment.notice_code,
        reason,
    )


async def run_import(
    service: PaymentService,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    data: bytes,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Parse and import a whole file. Raises CsvFileError (unreadable file) or
    ConfigurationMissing (no active tenant/service); every row problem is in the report."""
    if service.store.active_config(tenant_id, service_id) is None:
        raise ConfigurationMissing(
            f"no active configuration for tenant {tenant_id} and service {service_id} "
            "(or the service belongs to another tenant)"
        )
    parsed = parse_csv(data, tenant_id, service_id)
    report = ImportReport(
        tenant_id,
        service_id,
        delimiter=parsed.delimiter,
        total=parsed.total,
        errors=list(parsed.errors),
        ignored_columns=parsed.ignored_columns,
    )
    service.metrics.processing_errors.labels(kind="internal").inc(len(parsed.errors))
    for error in parsed.errors:
        if progress:
            progress(
                len(report.rows) + len(report.errors),
                report.total,
                RowResult(error.line, "error", reason=error.reason),
            )
    for row in parsed.rows:
        result = await _import_row(service, report, row)
        if result.outcome == "error":
            report.errors.append(RowError(row.line, result.reason or "failed"))
        else:
            report.rows.append(result)
        if progress:
            progress(len(report.rows) + len(report.errors), report.total, result)
    logger.info(
        "import tenant=%s service=%s: %d rows, %d created, %d registered, %d unchanged, %d errors",
        tenant_id,
        service_id,
        report.total,
        report.count("created"),
        report.count("registered"),
        report.count("unchanged"),
        len(report.errors),
    )
    return report


def _ids(values: dict[str, str]) -> tuple[uuid.UUID, uuid.UUID]:
    errors: list[tuple[str, str]] = []
    found: dict[str, uuid.UUID] = {}
    for key in ("tenant_id", "service_id"):
        raw = (values.get(key) or "").strip()
        if not raw:
            errors.append((key, "is required (form field or query parameter)"))
            continue
        try:
            found[key] = uuid.UUID(raw)
        except ValueError:
            errors.append((key, "must be a UUID"))
    if errors:
        raise field_errors(errors)
    return found["tenant_id"], found["service_id"]


async def _read_upload(request: Request) -> tuple[bytes, dict[str, str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    values = dict(request.query_params)
    if content_type == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except HTTPException as exc:  # Starlette's own 400 for a malformed or crowded form
            raise field_errors(
                [("file", f"unreadable multipart body ({exc.detail}): send only the fields "
                          "file, tenant_id and service_id")]
            ) from None  # fmt: skip
        try:
            upload = form.get("file")
            for key in ("tenant_id", "service_id"):
                value = form.get(key)
                if isinstance(value, str):
                    values[key] = value
            if not isinstance(upload, UploadFile):
                raise field_errors([("file", "attach the CSV file as the multipart field 'file'")])
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
        finally:
            await form.close()
    elif content_type in ("text/csv", "text/plain", "application/csv"):
        data = await request.body()
    else:
        raise Problem(
            415,
            "Unsupported media type",
            "send the file as multipart/form-data (field 'file') or as a text/csv body",
            kind="unsupported-media-type",
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise Problem(
            413,
            "File too large",
            "the CSV exceeds 20 MiB: split it into smaller files",
            kind="too-large",
        )
    return data, values


async def create_import(request: Request) -> Response:
    require_token(request)
    data, values = await _read_upload(request)
    tenant_id, service_id = _ids(values)
    try:
        report = await run_import(request.app.state.service, tenant_id, service_id, data)
    except ConfigurationMissing as exc:
        raise field_errors(
            [("service_id", f"{exc}; configure it with POST /tenants and POST /services")]
        ) from None
    except CsvFileError as exc:
        raise Problem(422, "Unreadable CSV", str(exc), kind="unreadable-csv") from None
    return JSONResponse(report.to_dict())


ROUTES = [Route("/imports", create_import, methods=["POST"])]

_COLUMNS_DOC = (
    "Columns (header line, `;` or `,` delimiter, UTF-8 with or without BOM, decimal comma "
    f"or point): required {', '.join(REQUIRED_COLUMNS)}; optional "
    f"{', '.join(c for c in KNOWN_COLUMNS if c not in REQUIRED_COLUMNS)}. A row with a "
    "notice_number (18 digits, mod-93 check digit verified) is registered as PAYMENT_PENDING; "
    "a row without one is created on the intermediary. Importing the same rows again creates "
    "nothing new (row key: tenant+notice, or a hash of the normalised row)."
)
_ID_PARAMS = [
    {
        "name": key,
        "in": "query",
        "required": False,
        "description": f"The {key[:-3]}'s id (required here for a text/csv body; a multipart "
        "upload may send it as a form field instead)",
        "schema": {"type": "string", "format": "uuid"},
    }
    for key in ("tenant_id", "service_id")
]

PATHS: dict[str, Any] = {
    "/imports": {
        "post": {
            "tags": ["imports"],
            "operationId": "importCsv",
            "summary": "Import pending payments from a CSV file",
            "description": _COLUMNS_DOC,
            "security": SECURITY,
            "parameters": _ID_PARAMS,
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "tenant_id": {"type": "string", "format": "uuid"},
                                "service_id": {"type": "string", "format": "uuid"},
                            },
                            "required": ["file"],
                        }
                    },
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            "responses": {
                **json_ok(
                    "The import report (valid rows are processed even when others fail)",
                    ref("ImportReport"),
                ),
                **problems(401, 413, 415, 422),
            },
        }
    }
}

_ROW = {
    "type": "object",
    "properties": {
        "line": {"type": "integer"},
        "outcome": {"type": "string", "enum": ["created", "registered", "unchanged"]},
        "payment_id": {"type": ["string", "null"], "format": "uuid"},
        "status": {"type": ["string", "null"]},
        "notice_number": {"type": ["string", "null"]},
        "reason": {"type": ["string", "null"]},
    },
    "required": ["line", "outcome", "payment_id", "status"],
}

COMPONENTS: dict[str, Any] = {
    "ImportReport": {
        "type": "object",
        "properties": {
            "tenant_id": {"type": "string", "format": "uuid"},
            "service_id": {"type": "string", "format": "uuid"},
            "delimiter": {"type": "string", "enum": [",", ";"]},
            "total": {"type": "integer", "description": "data rows read"},
            "created": {"type": "integer"},
            "registered": {"type": "integer"},
            "unchanged": {"type": "integer"},
            "failed": {"type": "integer"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "line": {"type": "integer", "description": "header is line 1"},
                        "field": {"type": ["string", "null"]},
                        "reason": {"type": "string"},
                    },
                    "required": ["line", "reason"],
                },
            },
            "rows": {"type": "array", "items": _ROW},
            "ignored_columns": {"type": "array", "items": {"type": "string"}},
        },
        "required": [
            "tenant_id",
            "service_id",
            "total",
            "created",
            "registered",
            "unchanged",
            "failed",
            "errors",
            "rows",
        ],
    }
}
