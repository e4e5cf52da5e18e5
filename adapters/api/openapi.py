"""The OpenAPI 3.1 document served at ``/docs``, assembled from the route modules.

Each route module keeps a ``PATHS`` dict next to its handlers; this module adds
the shared components. The configuration schemas are built from the driver's
:class:`DriverSpec`, so the document always matches the running intermediary.
"""

from __future__ import annotations

import copy
from typing import Any

from adapters.api import (
    cancel,
    citizen,
    config_routes,
    govpay_ente,
    imports_doc,
    ops,
    payments,
    stamps,
)
from adapters.api.forms import ENV_NAME_PATTERN, TAXONOMY_PATTERN, Level
from adapters.core.config import ConfigField, DriverSpec
from adapters.core.csv_rows import KNOWN_COLUMNS, REQUIRED_COLUMNS
from adapters.core.models import PaymentEvent

CBILL_INPUT = r"^[A-Za-z0-9]{5}$"
_UUID = {"type": "string", "format": "uuid"}
_STAMP_ID = {"type": "string", "pattern": "^[0-9 ]+$", "description": "14 digits"}
_DATE = {
    "type": "string",
    "description": "YYYY-MM-DD or DD/MM/YYYY, not in the future, not before 2005-09-01",
}


def _pydantic_components() -> dict[str, Any]:
    """PaymentEvent and its parts, with ``$defs`` hoisted into components."""
    schema = PaymentEvent.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    defs: dict[str, Any] = schema.pop("$defs", {})
    defs["PaymentEvent"] = schema
    return defs


def _driver_property(spec: ConfigField) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": "string", "title": spec.label}
    if spec.description:
        prop["description"] = spec.description
    if spec.kind == "env":
        prop["pattern"] = ENV_NAME_PATTERN
        prop["description"] = (
            f"{spec.description} (name of the environment variable holding the secret)"
        ).strip()
    elif spec.kind == "select" and spec.options:
        prop["enum"] = list(spec.options)
    elif spec.pattern:
        prop["pattern"] = spec.pattern
    return prop


def _text(description: str, max_length: int, pattern: str | None = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": ["string", "null"], "maxLength": max_length}
    if pattern:
        prop["pattern"] = pattern
    return {**prop, "description": description}


def _notice_properties() -> dict[str, Any]:
    """The optional tenant fields printed on the paper notice (see the tenant form)."""
    logo_file = {
        "type": "object",
        "description": "form.io file value (base64 storage)",
        "properties": {
            "url": {"type": "string", "pattern": "^data:image/(png|jpeg);base64,"},
            "name": {"type": "string"},
            "originalName": {"type": "string"},
            "type": {"type": "string"},
            "size": {"type": "integer"},
            "storage": {"type": "string"},
        },
        "required": ["url"],
    }
    return {
        "office": _text("settore / ufficio, under the creditor's name", 100),
        "contact_info": _text("address, telephone, e-mail, opening hours", 200),
        "website": _text("the creditor's web site, among the channels", 100, r"^\S+$"),
        "cbill_code": _text("5-character CBILL code (stored in capitals)", 5, CBILL_INPUT),
        "logo": {
            "description": "PNG or JPEG, at most 512 KiB: a data: URL or the form.io file value",
            "anyOf": [
                {"type": "string", "pattern": "^data:image/(png|jpeg);base64,"},
                {"type": "array", "maxItems": 1, "items": logo_file},
                {"type": "null"},
            ],
        },
        "logo_url": _text(
            "fetched once when the tenant is saved (never while printing); PNG or JPEG, "
            "at most 512 KiB",
            2000,
            r"^https?://\S+$",
        ),
        "postal_account": _text(
            "conto corrente postale (up to 12 digits): adds the Poste Italiane part",
            20,
            "^[0-9 ]+$",
        ),
        "postal_account_holder": _text("intestatario (default: the creditor's name)", 100),
        "postal_authorization": _text("Poste's authorisation to print bollettini", 100),
    }


def _config_schemas(level: Level, driver: DriverSpec) -> dict[str, Any]:
    name = "Tenant" if level == "tenant" else "Service"
    if level == "tenant":
        props: dict[str, Any] = {
            "id": _UUID,
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            "tax_identification_number": {
                "type": "string",
                "pattern": "^[0-9]{11}$",
                "description": "creditor fiscal code (check digit verified)",
                "examples": ["80000000002"],
            },
            "active": {"type": "boolean", "default": True},
            **_notice_properties(),
        }
        required = ["id", "name", "tax_identification_number"]
    else:
        props = {
            "id": {**_UUID, "description": "generated when omitted"},
            "tenant_id": _UUID,
            "payment_type": {"type": "string", "enum": ["pagopa", "stamp"]},
            "remote_collection": {
                "type": "object",
                "properties": {
                    "id": _UUID,
                    "type": {"type": "string", "enum": ["application", "service", "other"]},
                },
                "required": ["id", "type"],
                "additionalProperties": False,
            },
            "amount": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 999999999.99,
                "description": "euros, at most 2 decimals; 16 for payment_type=stamp",
                "examples": [20.0, 16.0],
            },
            "reason": {"type": "string", "minLength": 1, "maxLength": 255},
            "expire_at": {"type": "integer", "minimum": 1, "description": "days of validity"},
            "collection_data": {
                "type": "string",
                "pattern": TAXONOMY_PATTERN,
                "examples": ["9/0101108TS/"],
            },
            "receiver": {
                "type": "object",
                "description": "multi-beneficiary payments only",
                "properties": {
                    "tax_identification_number": {
                        "type": "string",
                        "pattern": "^[0-9]{11}$",
                        "examples": ["80000000002"],
                    },
                    "name": {"type": "string", "minLength": 1, "maxLength": 255},
                    "iban": {"type": ["string", "null"]},
                },
                "required": ["tax_identification_number", "name"],
                "additionalProperties": False,
            },
            "active": {"type": "boolean", "default": True},
        }
        required = [
            "tenant_id",
            "payment_type",
            "remote_collection",
            "amount",
            "reason",
            "expire_at",
            "collection_data",
        ]
    for spec in driver.fields_for(level):
        props[spec.key] = _driver_property(spec)
        if spec.required and spec.default is None:
            required.append(spec.key)
    stored = copy.deepcopy(props)
    stored["created_at"] = {"type": "string", "format": "date-time"}
    stored["updated_at"] = {"type": "string", "format": "date-time"}
    return {
        f"{name}Input": {
            "type": "object",
            "description": f"A {level} configuration (v2); fields of the "
            f"'{driver.name}' intermediary included",
            "properties": props,
            "required": required,
            "additionalProperties": False,
        },
        f"{name}Patch": {
            "type": "object",
            "description": "JSON merge patch: only the fields to change; null removes a field",
            "properties": props,
            "additionalProperties": False,
        },
        name: {
            "type": "object",
            "properties": stored,
            "required": sorted({*required, "id", "active", "created_at", "updated_at"}),
        },
    }


def _other_components() -> dict[str, Any]:
    return {
        "Problem": {
            "type": "object",
            "description": "RFC 7807 problem details; `detail` says what to do next",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        },
                        "required": ["field", "message"],
                    },
                },
            },
            "required": ["type", "title", "status", "detail"],
        },
        "FormSchema": {
            "type": "object",
            "description": "A form.io form definition (display 'form')",
            "properties": {
                "display": {"type": "string", "enum": ["form"]},
                "title": {"type": "string"},
                "intermediary": {"type": "string"},
                "components": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "key": {"type": "string"},
                            "label": {"type": "string"},
                            "type": {"type": "string"},
                            "validate": {"type": "object"},
                        },
                        "required": ["key", "label", "type"],
                    },
                },
            },
            "required": ["display", "components"],
        },
        "PaperStampInput": {
            "type": "object",
            "properties": {
                "tenant_id": _UUID,
                "identifier": _STAMP_ID,
                "issued_on": _DATE,
                "payment_id": {**_UUID, "description": "give this or application_id"},
                "application_id": _UUID,
            },
            "required": ["tenant_id", "identifier", "issued_on"],
            "additionalProperties": False,
        },
        "PaymentPaperStampInput": {
            "type": "object",
            "properties": {"identifier": _STAMP_ID, "issued_on": _DATE},
            "required": ["identifier", "issued_on"],
            "additionalProperties": False,
        },
        "PaperStamp": {
            "type": "object",
            "properties": {
                "tenant_id": _UUID,
                "identifier": {"type": "string", "pattern": "^[0-9]{14}$"},
                "issued_on": {"type": "string", "format": "date"},
                "payment_id": {"type": ["string", "null"], "format": "uuid"},
                "application_id": {"type": ["string", "null"], "format": "uuid"},
            },
            "required": ["tenant_id", "identifier", "issued_on", "payment_id", "application_id"],
        },
        "Status": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["ok", "down"]},
                "down": {"type": "array", "items": {"type": "string"}},
                "checks": {"type": "object"},
                "intermediary": {"type": "string"},
                "app_id": {"type": "string"},
                "replica": {
                    "type": "string",
                    "description": "This replica's id among those sharing the store "
                    "(COLLAUDO_REPLICA_ID)",
                },
                "detail": {"type": "string"},
            },
            "required": ["status", "down", "checks"],
        },
        **imports_doc.COMPONENTS,
        **payments.COMPONENTS,
    }


def build_openapi(
    driver: DriverSpec, *, version: str, server_url: str | None = None
) -> dict[str, Any]:
    """The whole document for a proxy running ``driver``."""
    paths: dict[str, Any] = {}
    for module in (config_routes, citizen, cancel, imports_doc, stamps, payments, ops):
        paths.update(copy.deepcopy(module.PATHS))
    if driver.name == "govpay":
        paths.update(copy.deepcopy(govpay_ente.PATHS))
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "collaudo payment proxy",
            "version": version,
            "description": (
                "An OpenCity-compatible pagoPA payment proxy: configuration API (v2, form.io "
                "schemas), citizen links, CSV import of pending payments, paper stamps and "
                f"operations. Intermediary driver: {driver.title}. CSV columns: "
                f"{', '.join(KNOWN_COLUMNS)} (required: {', '.join(REQUIRED_COLUMNS)})."
            ),
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The value of COLLAUDO_API_TOKEN on the proxy",
                }
            },
            "schemas": {
                **_pydantic_components(),
                **_config_schemas("tenant", driver),
                **_config_schemas("service", driver),
                **_other_components(),
            },
        },
        "tags": [
            {"name": "configuration", "description": "Tenants and services (OpenCity API v2)"},
            {"name": "citizen links", "description": "The URLs a payment event carries"},
            {"name": "imports", "description": "CSV import of pending payments (durable jobs)"},
            {"name": "stamps", "description": "Paper marca da bollo registration"},
            {"name": "operations", "description": "Health, metrics, this document"},
        ],
    }
    if driver.name == "govpay":
        doc["tags"].append(
            {
                "name": "GovPay API Ente",
                "description": "What GovPay calls on the creditor (API Ente Creditore v2)",
            }
        )
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
