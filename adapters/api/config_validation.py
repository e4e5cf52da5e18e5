"""Turn a configuration API body into a TenantConfig / ServiceConfig, or field errors.

Every problem is collected (not only the first), each with the dotted field
name the form uses, so the operator fixes the whole form in one go. Driver
fields are checked against the driver's :class:`ConfigField` list.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from adapters.api.forms import CBILL_PATTERN, ENV_NAME_PATTERN, TAXONOMY_PATTERN, Level
from adapters.api.problems import Problem, field_errors
from adapters.core.config import ConfigField, DriverSpec, ServiceConfig, TenantConfig
from adapters.core.logo import InvalidLogo, logo_url_problem, normalize_logo
from adapters.i18n import gettext as _
from adapters.pagopa import (
    PAGOPA_TEST_CREDITOR_FISCAL_CODE,
    InvalidFiscalCode,
    InvalidPostalAccount,
    normalize_postal_account,
    validate_creditor_fiscal_code,
)

# Read-only or form.io bookkeeping keys a client may echo back; never stored from the body.
IGNORED_KEYS = frozenset({"submit", "created_at", "updated_at"})
NOTICE_KEYS = (
    "office",
    "contact_info",
    "website",
    "cbill_code",
    "logo",
    "logo_url",
    "postal_account",
    "postal_account_holder",
    "postal_authorization",
)
TENANT_KEYS = frozenset({"id", "name", "tax_identification_number", "active", *NOTICE_KEYS})
SERVICE_KEYS = frozenset(
    {
        "id",
        "tenant_id",
        "payment_type",
        "remote_collection",
        "amount",
        "reason",
        "expire_at",
        "collection_data",
        "receiver",
        "active",
    }
)
SERVICE_REQUIRED = (
    "tenant_id",
    "payment_type",
    "remote_collection.id",
    "remote_collection.type",
    "amount",
    "reason",
    "expire_at",
    "collection_data",
)
STAMP_AMOUNT = Decimal("16.00")


def _nest(body: Mapping[str, Any]) -> dict[str, Any]:
    """form.io may submit ``{"remote_collection.id": x}``; store it as nested objects."""
    nested: dict[str, Any] = {}
    for key, value in body.items():
        target = nested
        *parents, leaf = key.split(".")
        for parent in parents:
            child = target.setdefault(parent, {})
            if not isinstance(child, dict):
                child = target[parent] = {}
            target = child
        if isinstance(value, Mapping) and isinstance(target.get(leaf), dict):
            target[leaf].update(value)
        else:
            target[leaf] = dict(value) if isinstance(value, Mapping) else value
    return nested


def merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """JSON merge patch (RFC 7396): objects merge, ``null`` removes, the rest replaces."""
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _get(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_driver_field(spec: ConfigField, value: Any) -> str | None:
    label = _(spec.label)
    if _blank(value):
        if not spec.required:
            return None
        return _("%(field)s is required by the intermediary driver") % {"field": label}
    if not isinstance(value, str):
        return _("%(field)s must be text") % {"field": label}
    if spec.kind == "env" and not re.fullmatch(ENV_NAME_PATTERN, value):
        return _(
            "%(field)s must be the NAME of an environment variable (e.g. MYPAY_PASSWORD), "
            "never the secret itself"
        ) % {"field": label}
    if spec.kind == "select" and spec.options and value not in spec.options:
        return _("%(field)s must be one of %(options)s") % {
            "field": label,
            "options": ", ".join(spec.options),
        }
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return _("%(field)s %(value)r does not match %(pattern)s") % {
            "field": label,
            "value": value,
            "pattern": spec.pattern,
        }
    return None


def _creditor_code(value: Any) -> str | None:
    if not isinstance(value, str):
        return _("must be an 11-digit fiscal code")
    if value.strip() == PAGOPA_TEST_CREDITOR_FISCAL_CODE:
        return None
    try:
        validate_creditor_fiscal_code(value)
    except InvalidFiscalCode as exc:
        return str(exc)
    return None


def pydantic_message(error: Mapping[str, Any]) -> str:
    """A pydantic error in the current language (pydantic's own text is English only)."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "string_too_long":
        return _("must have at most %(count)s characters") % {"count": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("must have at least %(count)s characters") % {"count": ctx.get("min_length")}
    if kind == "string_pattern_mismatch":
        return _("does not match %(pattern)s") % {"pattern": ctx.get("pattern")}
    if kind in {"greater_than", "greater_than_equal"}:
        return _("must be greater than %(limit)s") % {"limit": ctx.get("gt", ctx.get("ge"))}
    if kind == "missing":
        return _("is required")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("has the wrong type (%(detail)s)") % {"detail": error.get("msg", kind)}
    if kind == "literal_error":
        return _("must be one of %(options)s") % {"options": ctx.get("expected")}
    if kind.startswith("decimal_"):
        return _("is not a valid amount (%(detail)s)") % {"detail": error.get("msg", kind)}
    return _("is not valid (%(detail)s)") % {"detail": error.get("msg", kind)}


def _pydantic_errors(exc: ValidationError) -> list[tuple[str, str]]:
    found = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"]) or "body"
        found.append((name, pydantic_message(error)))
    return found


def _common(
    data: dict[str, Any], level: Level, driver: DriverSpec, known: frozenset[str]
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    driver_keys = {f.key for f in driver.fields_for(level)}
    for key in sorted(set(data) - known - driver_keys - IGNORED_KEYS):
        errors.append(
            (
                key,
                _("unknown field: the form at /%(level)ss/schema lists the fields")
                % {"level": level},
            )
        )
    for spec in driver.fields_for(level):
        if _blank(data.get(spec.key)) and spec.default is not None:
            data[spec.key] = spec.default
        elif _blank(data.get(spec.key)) and not spec.required:
            # An optional field left empty (a form sends "") is absent, not stored as ""
            # (which its own pattern would refuse in every answer).
            data.pop(spec.key, None)
        problem = _check_driver_field(spec, data.get(spec.key))
        if problem:
            errors.append((spec.key, problem))
    if "active" in data and not isinstance(data["active"], bool):
        errors.append(("active", _("must be true or false")))
    for key in IGNORED_KEYS:
        data.pop(key, None)
    return errors


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise Problem(
            400,
            _("Bad request"),
            _("the body must be a JSON object with the fields of the form (see the schema)"),
            kind="bad-request",
        )
    return _nest(body)


def _notice_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Check (and normalise in place) the tenant fields the paper notice shows."""
    errors: list[tuple[str, str]] = []
    for key in NOTICE_KEYS:
        value = data.get(key)
        if _blank(value) or value == []:
            data.pop(key, None)
        elif key != "logo" and not isinstance(value, str):
            errors.append((key, _("must be text")))
        elif isinstance(value, str):
            data[key] = " ".join(value.split())
    if isinstance(data.get("cbill_code"), str):
        code = data["cbill_code"].upper()
        if not re.fullmatch(CBILL_PATTERN, code):
            errors.append(
                (
                    "cbill_code",
                    _(
                        "the CBILL code is 5 letters or digits (e.g. A1B2C), as the "
                        "creditor's bank or pagoPA's back office assigned it"
                    ),
                )
            )
        data["cbill_code"] = code
    if isinstance(data.get("postal_account"), str):
        try:
            data["postal_account"] = normalize_postal_account(data["postal_account"])
        except InvalidPostalAccount as exc:
            errors.append(("postal_account", str(exc)))
    for key in ("postal_account_holder", "postal_authorization"):
        if key in data and "postal_account" not in data:
            errors.append((key, _("set postal_account too, or leave this empty")))
    if isinstance(data.get("website"), str) and " " in data["website"]:
        errors.append(("website", _("a web address has no spaces, e.g. www.comune.bugliano.pi.it")))
    if "logo" in data:
        try:
            data["logo"] = normalize_logo(data["logo"])
        except InvalidLogo as exc:
            errors.append(("logo", str(exc)))
    if isinstance(data.get("logo_url"), str):
        problem = logo_url_problem(data["logo_url"])
        if problem:
            errors.append(("logo_url", problem))
    return errors


def build_tenant(
    body: Any, driver: DriverSpec, found: Sequence[tuple[str, str]] = ()
) -> TenantConfig:
    """Validate a full tenant document (after merging, for PATCH); ``found`` are errors
    already met (fetching the logo), reported with the others."""
    data = _require_object(body)
    errors = _common(data, "tenant", driver, TENANT_KEYS)
    errors += _notice_fields(data)
    errors += [e for e in found if e[0] not in {name for name, _ in errors}]
    for key in ("id", "name", "tax_identification_number"):
        if _blank(data.get(key)):
            errors.append((key, _("is required")))
    if not _blank(data.get("tax_identification_number")):
        problem = _creditor_code(data["tax_identification_number"])
        if problem:
            errors.append(("tax_identification_number", problem))
    tenant: TenantConfig | None = None
    try:
        tenant = TenantConfig.model_validate(data)
    except ValidationError as exc:
        known = {name for name, _ in errors}
        errors += [e for e in _pydantic_errors(exc) if e[0] not in known]
    if errors or tenant is None:
        raise field_errors(errors)
    return tenant


def build_service(body: Any, driver: DriverSpec) -> ServiceConfig:
    """Validate a full service document; ``id`` is generated when absent."""
    data = _require_object(body)
    if _blank(data.get("id")):
        data["id"] = str(uuid.uuid4())
    errors = _common(data, "service", driver, SERVICE_KEYS)
    for key in SERVICE_REQUIRED:
        if _blank(_get(data, key)):
            errors.append((key, _("is required (configuration API v2)")))
    if not _blank(data.get("collection_data")) and not re.fullmatch(
        TAXONOMY_PATTERN, str(data["collection_data"])
    ):
        errors.append(("collection_data", _("must be a pagoPA taxonomy code such as 9/0101108TS/")))
    receiver = data.get("receiver")
    if isinstance(receiver, Mapping) and any(not _blank(v) for v in receiver.values()):
        for key in ("tax_identification_number", "name"):
            if _blank(receiver.get(key)):
                errors.append((f"receiver.{key}", _("is required when a receiver is given")))
        if not _blank(receiver.get("tax_identification_number")):
            problem = _creditor_code(receiver["tax_identification_number"])
            if problem:
                errors.append(("receiver.tax_identification_number", problem))
    elif receiver is not None and not isinstance(receiver, Mapping):
        errors.append(("receiver", _("must be an object with tax_identification_number and name")))
    else:
        data.pop("receiver", None)
    service: ServiceConfig | None = None
    try:
        service = ServiceConfig.model_validate(data)
    except ValidationError as exc:
        known = {name for name, _ in errors}
        errors += [e for e in _pydantic_errors(exc) if e[0] not in known]
    if service is not None and service.payment_type == "stamp" and service.amount is not None:
        if service.amount != STAMP_AMOUNT:
            errors.append(("amount", _("a digital revenue stamp costs 16.00: set amount to 16")))
    if errors or service is None:
        raise field_errors(errors)
    return service
