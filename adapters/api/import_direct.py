"""A whole CSV file imported in the caller's task: ``collaudo import-csv --db`` (no proxy running).

The proxy itself imports through background jobs (:mod:`adapters.api.imports`,
:mod:`adapters.core.import_runner`); this module serves the command that writes
straight into a store file, with the same rows, checks and idempotency.

The columns are documented in :mod:`adapters.core.csv_rows` (and in the OpenAPI
document). Each valid row becomes a payment through
:meth:`PaymentService.import_payment`: a row with a notice number is registered
as ``PAYMENT_PENDING`` (the position exists already), a row without one is
created on the intermediary. Rows are idempotent (the row key is tenant+notice,
or a hash of the normalised row), so importing a file twice creates nothing new.
Invalid rows are reported with their line number and reason; the valid rows
beside them are always processed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.core.csv_rows import CsvRow, RowError, parse_csv
from adapters.core.errors import ConfigurationMissing
from adapters.core.intermediary import IntermediaryError
from adapters.core.models import PaymentStatus
from adapters.core.service import PaymentService
from adapters.i18n import gettext as _

logger = logging.getLogger(__name__)


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
        return RowResult(
            row.line,
            "error",
            reason=_("the intermediary failed: %(error)s") % {"error": exc.describe()},
        )
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
        reason = (
            _("creation will be retried: %(error)s") % {"error": last_error} if last_error else None
        )
    elif status is PaymentStatus.CREATION_FAILED:
        stored = service.store.get_payment(result.payment_id)
        reason = stored.last_error if stored else _("creation failed")
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
            _(
                "no active configuration for tenant %(tenant)s and service %(service)s "
                "(or the service belongs to another tenant)"
            )
            % {"tenant": tenant_id, "service": service_id}
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
