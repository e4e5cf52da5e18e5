"""The OpenAPI description of the CSV import jobs (:mod:`adapters.api.imports`)."""

from __future__ import annotations

from typing import Any

from adapters.api.openapi_parts import SECURITY, json_ok, problems, ref, uuid_param
from adapters.core.csv_rows import KNOWN_COLUMNS, REQUIRED_COLUMNS

_COLUMNS_DOC = (
    "Columns (header line; tab, `;` or `,` delimiter; UTF-8 with or without BOM, or "
    "Windows-1252 when unambiguous: every byte defined in Windows-1252 and no control "
    "character but tab, CR, LF; decimal comma or point): required "
    f"{', '.join(REQUIRED_COLUMNS)}; optional "
    f"{', '.join(c for c in KNOWN_COLUMNS if c not in REQUIRED_COLUMNS)}. A row with a "
    "notice_number (18 digits, mod-93 check digit verified) is registered as PAYMENT_PENDING; "
    "a row without one is created on the intermediary. Importing the same rows again creates "
    "nothing new (row key: tenant+notice, or a hash of the normalised row). The file is "
    "checked as a whole at upload (encoding, header, quotes: 422 naming the line, nothing "
    "stored); then it is stored with a job, answered 202 with `Location: /imports/{id}`, and "
    "imported in the background. A proxy restarted mid-file resumes the job where it stopped, "
    "without duplicating any row."
)
_WAIT_PARAM = {
    "name": "wait",
    "in": "query",
    "required": False,
    "description": "Seconds (0-120) to wait for the job to finish before answering; also "
    "`Prefer: wait=N` (RFC 7240), answered with `Preference-Applied`",
    "schema": {"type": "number", "minimum": 0, "maximum": 120},
}
_LOCATION = {"Location": {"description": "The job: /imports/{id}", "schema": {"type": "string"}}}
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
_JOB_ID = uuid_param("import_id", "The import job's id")


def _job_answer(code: str, description: str) -> dict[str, Any]:
    return {
        code: {
            "description": description,
            "headers": _LOCATION,
            "content": {"application/json": {"schema": ref("ImportJob")}},
        }
    }


PATHS: dict[str, Any] = {
    "/imports": {
        "post": {
            "tags": ["imports"],
            "operationId": "importCsv",
            "summary": "Upload a CSV file of pending payments: a durable background job",
            "description": _COLUMNS_DOC,
            "security": SECURITY,
            "parameters": [*_ID_PARAMS, _WAIT_PARAM],
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
                **_job_answer("201", "The job finished within the requested wait"),
                **_job_answer("202", "The job is stored and runs in the background"),
                **problems(401, 413, 415, 422),
            },
        },
        "get": {
            "tags": ["imports"],
            "operationId": "listImports",
            "summary": "Import jobs, newest first, by tenant, service and state",
            "security": SECURITY,
            "parameters": [
                {"name": n, "in": "query", "required": False, "schema": s}
                for n, s in (
                    ("tenant_id", {"type": "string", "format": "uuid"}),
                    ("service_id", {"type": "string", "format": "uuid"}),
                    ("state", {"type": "string", "enum": ["queued", "running", "done", "failed"]}),
                    ("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
                )
            ],
            "responses": {
                **json_ok(
                    "The jobs",
                    {
                        "type": "object",
                        "properties": {"imports": {"type": "array", "items": ref("ImportJob")}},
                        "required": ["imports"],
                    },
                ),
                **problems(401, 422),
            },
        },
    },
    "/imports/{import_id}": {
        "get": {
            "tags": ["imports"],
            "operationId": "getImport",
            "summary": "An import job: state, rows read of total, counts, first errors, times",
            "security": SECURITY,
            "parameters": [_JOB_ID, _WAIT_PARAM],
            "responses": {**_job_answer("200", "The job"), **problems(401, 404, 422)},
        }
    },
    "/imports/{import_id}/rows": {
        "get": {
            "tags": ["imports"],
            "operationId": "getImportRows",
            "summary": "The job's rows done so far, in file order: outcome, payment, notice",
            "security": SECURITY,
            "parameters": [
                _JOB_ID,
                {
                    "name": "after",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": -1, "default": -1},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 5000, "default": 1000},
                },
            ],  # fmt: skip
            "responses": {
                **json_ok(
                    "A page of rows; ask again with after=next_after while it is not null",
                    {
                        "type": "object",
                        "properties": {
                            "rows": {"type": "array", "items": ref("ImportRow")},
                            "next_after": {"type": ["integer", "null"]},
                        },
                        "required": ["rows", "next_after"],
                    },
                ),
                **problems(401, 404, 422),
            },
        }
    },
    "/imports/{import_id}/errors.csv": {
        "get": {
            "tags": ["imports"],
            "operationId": "getImportErrors",
            "summary": "The refused rows as sent, with line and error_reason first: fix, re-import",
            "security": SECURITY,
            "parameters": [_JOB_ID],
            "responses": {
                "200": {
                    "description": "CSV in the upload's delimiter and encoding",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                **problems(401, 404),
            },
        }
    },
}

_COUNT = {"type": "integer", "minimum": 0}
_TIME = {"type": ["string", "null"], "format": "date-time"}

COMPONENTS: dict[str, Any] = {
    "ImportJob": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "tenant_id": {"type": "string", "format": "uuid"},
            "service_id": {"type": "string", "format": "uuid"},
            "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "filename": {"type": ["string", "null"]},
            "encoding": {"type": "string", "enum": ["UTF-8", "UTF-8 with BOM", "Windows-1252"]},
            "delimiter": {"type": "string", "enum": ["\t", ";", ","]},
            "total": {**_COUNT, "description": "data rows in the file (blank lines excluded)"},
            "read": {**_COUNT, "description": "rows done so far, whatever their outcome"},
            "created": _COUNT,
            "registered": _COUNT,
            "unchanged": _COUNT,
            "failed": _COUNT,
            "problem": {"type": ["string", "null"], "description": "why the job failed"},
            "language": {
                "type": ["string", "null"],
                "description": "the language of the upload (Accept-Language): the job's "
                "errors and problem are written in it",
            },
            "ignored_columns": {"type": "array", "items": {"type": "string"}},
            "created_at": {"type": "string", "format": "date-time"},
            "started_at": _TIME,
            "finished_at": _TIME,
            "replica": {
                "type": ["string", "null"],
                "description": "the proxy replica running the job (COLLAUDO_REPLICA_ID), or "
                "that last ran it; null before any replica took it",
            },
            "errors": {
                "type": "array",
                "description": "the first 100 refused rows; all of them: errors.csv",
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
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": [
            "id",
            "tenant_id",
            "service_id",
            "state",
            "encoding",
            "delimiter",
            "total",
            "read",
            "created",
            "registered",
            "unchanged",
            "failed",
            "created_at",
        ],  # fmt: skip
    },
    "ImportRow": {
        "type": "object",
        "properties": {
            "idx": {"type": "integer", "description": "0 = the first data row"},
            "line": {"type": "integer"},
            "outcome": {"type": "string", "enum": ["created", "registered", "unchanged", "error"]},
            "payment_id": {"type": ["string", "null"], "format": "uuid"},
            "status": {"type": ["string", "null"]},
            "notice_number": {"type": ["string", "null"]},
            "field": {"type": ["string", "null"]},
            "reason": {"type": ["string", "null"]},
        },
        "required": ["idx", "line", "outcome", "payment_id"],
    },
}
