"""CSV imports as durable jobs: ``POST /imports``, ``GET /imports``, ``GET /imports/{id}``.

``POST /imports`` checks the file as a whole (encoding, delimiter, header, quotes,
size: a file that cannot be read is refused with 422 and nothing is stored),
stores the file and the job in one transaction and answers **202** with
``Location: /imports/{id}``; the runtime's importer loop imports the rows in the
background (:mod:`adapters.core.import_runner`) and resumes after a restart.

A client that prefers the old synchronous feel asks to wait, ``?wait=SECONDS`` or
``Prefer: wait=SECONDS`` (at most :data:`MAX_WAIT`): when the job finishes within
the wait the answer is **201** with the finished job, else 202 with the job so far.
``GET /imports/{id}?wait=SECONDS`` waits the same way for a job to finish.

Send the file as ``multipart/form-data`` (field ``file``, plus ``tenant_id`` and
``service_id`` fields or query parameters) or as a ``text/csv`` body with
``?tenant_id=...&service_id=...``. Columns: :mod:`adapters.core.csv_rows`.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.api.auth import require_token
from adapters.api.config_routes import path_uuid
from adapters.api.import_files import LIST_HINT, errors_csv
from adapters.api.problems import Problem, field_errors, not_found
from adapters.core.csv_file import CsvFileError
from adapters.core.csv_rows import ignored_columns, inspect_csv
from adapters.core.import_records import JOB_STATES, ImportJob
from adapters.core.import_runner import ImportRunner
from adapters.core.models import utcnow
from adapters.core.store import Store
from adapters.i18n import gettext as _
from adapters.i18n import language

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
MAX_WAIT = 120.0
ERRORS_SHOWN = 100
_PREFER_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*\"?([0-9.]+)\"?", re.IGNORECASE)


def _ids(values: dict[str, str]) -> tuple[uuid.UUID, uuid.UUID]:
    errors: list[tuple[str, str]] = []
    found: dict[str, uuid.UUID] = {}
    for key in ("tenant_id", "service_id"):
        raw = (values.get(key) or "").strip()
        if not raw:
            errors.append((key, _("is required (form field or query parameter)")))
            continue
        try:
            found[key] = uuid.UUID(raw)
        except ValueError:
            errors.append((key, _("must be a UUID")))
    if errors:
        raise field_errors(errors)
    return found["tenant_id"], found["service_id"]


async def _read_upload(request: Request) -> tuple[bytes, dict[str, str], str | None]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    values = dict(request.query_params)
    filename: str | None = None
    if content_type == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except HTTPException as exc:  # Starlette's own 400 for a malformed or crowded form
            raise field_errors(
                [("file", _("unreadable multipart body (%(error)s): send only the fields "
                            "file, tenant_id and service_id") % {"error": exc.detail})]
            ) from None  # fmt: skip
        try:
            upload = form.get("file")
            for key in ("tenant_id", "service_id"):
                value = form.get(key)
                if isinstance(value, str):
                    values[key] = value
            if not isinstance(upload, UploadFile):
                raise field_errors(
                    [("file", _("attach the CSV file as the multipart field 'file'"))]
                )
            filename = upload.filename
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
        finally:
            await form.close()
    elif content_type in ("text/csv", "text/plain", "application/csv", "text/tab-separated-values"):
        data = await request.body()
    else:
        raise Problem(
            415,
            _("Unsupported media type"),
            _("send the file as multipart/form-data (field 'file') or as a text/csv body"),
            kind="unsupported-media-type",
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise Problem(
            413,
            _("File too large"),
            _("the CSV exceeds %(size)s MiB: split it into smaller files")
            % {"size": MAX_UPLOAD_BYTES // 1024 // 1024},
            kind="too-large",
        )
    return data, values, filename


def requested_wait(request: Request) -> tuple[float, bool]:
    """Seconds to wait for the job (``?wait=`` or ``Prefer: wait=``), and whether Prefer
    asked (so the answer says ``Preference-Applied``)."""
    raw = request.query_params.get("wait")
    prefer = False
    if raw is None:
        match = _PREFER_WAIT.search(request.headers.get("prefer", ""))
        if match is None:
            return 0.0, False
        raw, prefer = match.group(1), True
    try:
        seconds = float(raw)
    except ValueError:
        raise field_errors(
            [("wait", _("%(value)r is not a number of seconds") % {"value": raw})]
        ) from None
    if not 0 <= seconds <= MAX_WAIT:
        raise field_errors(
            [("wait", _("must be between 0 and %(max)s seconds") % {"max": f"{MAX_WAIT:g}"})]
        )
    return seconds, prefer


async def wait_for(
    store: Store, job: ImportJob, seconds: float, importer: ImportRunner | None = None
) -> ImportJob:
    """The job once finished, or as it stands after ``seconds``. Looked at again when a
    batch of this proxy's ``importer`` ends (it finishes jobs at a batch's end), and at
    the latest by a poll slowing to one every 0.5 s (a job another replica runs: the
    poll alone; a long one would otherwise be looked at up to 0.5 s after it ended)."""
    deadline = time.monotonic() + seconds
    pause = 0.02
    while not job.finished and time.monotonic() < deadline:
        wait = min(pause, max(0.0, deadline - time.monotonic()))
        if importer is not None:
            await importer.batch_end(wait)
        else:
            await asyncio.sleep(wait)
        pause = min(pause * 1.5, 0.5)
        job = store.get_import(job.id) or job
    return job


def _importer(request: Request) -> ImportRunner | None:
    runtime = request.app.state.runtime
    return runtime.importer if runtime is not None else None


def job_body(store: Store, job: ImportJob) -> dict[str, Any]:
    """The job as the API shows it: counts, times, the first errors, where the rest are."""
    body = job.to_dict()
    errors = store.import_rows(job.id, limit=ERRORS_SHOWN, errors_only=True)
    body["errors"] = [{k: e[k] for k in ("line", "field", "reason")} for e in errors]
    base = f"/imports/{job.id}"
    body["links"] = {"self": base, "rows": f"{base}/rows", "errors_csv": f"{base}/errors.csv"}
    return body


def _answer(store: Store, job: ImportJob, status: int, prefer: float | None) -> Response:
    headers = {"Location": f"/imports/{job.id}"}
    if prefer is not None:
        headers["Preference-Applied"] = f"wait={prefer:g}"
    if not job.finished:
        headers["Retry-After"] = "1"
    return JSONResponse(job_body(store, job), status_code=status, headers=headers)


async def create_import(request: Request) -> Response:
    require_token(request)
    seconds, prefer = requested_wait(request)
    data, values, filename = await _read_upload(request)
    tenant_id, service_id = _ids(values)
    store: Store = request.app.state.store
    if store.active_config(tenant_id, service_id) is None:
        raise field_errors(
            [("service_id", _("no active configuration for tenant %(tenant)s and service "
                              "%(service)s (or the service belongs to another tenant); "
                              "configure it with POST /tenants and POST /services")
                            % {"tenant": tenant_id, "service": service_id})]
        )  # fmt: skip
    try:  # a whole pass over the file: in a thread, so the other loops keep running
        layout = await asyncio.to_thread(inspect_csv, data)
    except CsvFileError as exc:
        raise Problem(422, _("Unreadable CSV"), str(exc), kind="unreadable-csv") from None
    job = ImportJob(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        service_id=service_id,
        encoding=layout.encoding,
        delimiter=layout.delimiter,
        total=layout.total,
        header=layout.raw_header,
        ignored_columns=ignored_columns(layout.header),
        created_at=utcnow(),
        filename=filename,
        language=language(),  # the rows' errors are written later, in the office's language
    )
    await asyncio.to_thread(store.add_import, job, data)  # megabytes: not on the loop
    runtime = request.app.state.runtime
    if runtime is not None:
        runtime.wake_importer()
    if seconds > 0:
        job = await wait_for(store, job, seconds, _importer(request))
    return _answer(store, job, 201 if job.finished else 202, seconds if prefer else None)


async def get_import(request: Request) -> Response:
    require_token(request)
    store: Store = request.app.state.store
    import_id = path_uuid(request, "import_id", "import")
    job = store.get_import(import_id)
    if job is None:
        raise not_found("import", import_id, LIST_HINT)
    seconds, prefer = requested_wait(request)
    if seconds > 0:
        job = await wait_for(store, job, seconds, _importer(request))
    return _answer(store, job, 200, seconds if prefer else None)


def _optional_uuid(request: Request, name: str) -> uuid.UUID | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise field_errors([(name, _("must be a UUID"))]) from None


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
        raise field_errors(
            [
                (
                    name,
                    _("must be a whole number from %(low)s to %(high)s")
                    % {"low": low, "high": high},
                )
            ]
        )
    return int(raw)


async def list_imports(request: Request) -> Response:
    require_token(request)
    store: Store = request.app.state.store
    state = request.query_params.get("state")
    if state is not None and state not in JOB_STATES:
        raise field_errors(
            [("state", _("must be one of %(states)s") % {"states": ", ".join(JOB_STATES)})]
        )
    jobs = store.list_imports(
        _optional_uuid(request, "tenant_id"),
        _optional_uuid(request, "service_id"),
        state,
        _int_param(request, "limit", 50, 1, 500),
    )
    return JSONResponse({"imports": [j.to_dict() for j in jobs]})


async def import_rows(request: Request) -> Response:
    """The job's rows in file order, a page at a time: outcome, payment, status, notice."""
    require_token(request)
    store: Store = request.app.state.store
    import_id = path_uuid(request, "import_id", "import")
    if store.get_import(import_id) is None:
        raise not_found("import", import_id, LIST_HINT)
    after = _int_param(request, "after", -1, -1, 10**9)
    limit = _int_param(request, "limit", 1000, 1, 5000)
    rows = store.import_rows(import_id, after, limit)
    for row in rows:
        row.pop("cells")
    nxt = rows[-1]["idx"] if len(rows) == limit else None
    return JSONResponse({"rows": rows, "next_after": nxt})


ROUTES = [
    Route("/imports", create_import, methods=["POST"]),
    Route("/imports", list_imports, methods=["GET"]),
    Route("/imports/{import_id}", get_import, methods=["GET"]),
    Route("/imports/{import_id}/rows", import_rows, methods=["GET"]),
    Route("/imports/{import_id}/errors.csv", errors_csv, methods=["GET"]),
]
