"""``GET /imports/{id}/errors.csv``: the refused rows as the office sent them, ready to fix.

Two columns come first, ``line`` (where the row was in the uploaded file) and
``error_reason`` (``reason`` is the causale column already); then the office's
own columns and cells unchanged, with the file's delimiter and encoding
(Windows-1252 stays Windows-1252, a BOM stays). The importer recognises and
skips these two columns, so the corrected file imports as it is; the rows done
before are not duplicated. An errors file imported again yields an errors file of
the same shape (its old ``line``/``error_reason`` columns are replaced).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from adapters.api.auth import require_token
from adapters.api.config_routes import path_uuid
from adapters.api.problems import not_found
from adapters.core.csv_file import ENCODINGS
from adapters.core.csv_rows import ERROR_COLUMNS
from adapters.core.import_records import ImportJob
from adapters.core.store import Store
from adapters.i18n import N_

#: What to do about an unknown job id (translated by ``not_found``).
LIST_HINT = N_("list the jobs with GET /imports")

__all__ = ["LIST_HINT", "errors_csv", "errors_csv_lines"]


def errors_csv_lines(store: Store, job: ImportJob) -> Iterator[bytes]:
    """The errors file, encoded, a chunk of rows at a time."""
    dropped = {i for i, h in enumerate(job.header) if h.strip().lower() in ERROR_COLUMNS}
    codec = ENCODINGS[job.encoding]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=job.delimiter, lineterminator="\r\n")

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode(codec, errors="replace")

    writer.writerow([*ERROR_COLUMNS, *(h for i, h in enumerate(job.header) if i not in dropped)])
    yield flush()  # utf-8-sig writes the BOM on this first chunk only
    codec = "utf-8" if codec == "utf-8-sig" else codec
    for count, row in enumerate(store.iter_import_rows(job.id, errors_only=True), start=1):
        cells = [c for i, c in enumerate(row["cells"] or []) if i not in dropped]
        writer.writerow([row["line"], row["reason"], *cells])
        if count % 500 == 0:
            yield flush()
    yield flush()


async def errors_csv(request: Request) -> Response:
    require_token(request)
    store: Store = request.app.state.store
    import_id = path_uuid(request, "import_id", "import")
    job = store.get_import(import_id)
    if job is None:
        raise not_found("import", import_id, LIST_HINT)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", (job.filename or "import").rsplit(".", 1)[0])
    charset = "windows-1252" if job.encoding == "Windows-1252" else "utf-8"
    media = "text/tab-separated-values" if job.delimiter == "\t" else "text/csv"
    return StreamingResponse(
        errors_csv_lines(store, job),  # a sync iterator: Starlette runs it in a thread
        media_type=f"{media}; charset={charset}",
        headers={"Content-Disposition": f'attachment; filename="{stem}-errors.csv"'},
    )
