"""form.io schemas of the tenant and service configuration forms.

The component ``key`` of each component is the name under which the value is
stored (dotted keys such as ``remote_collection.id`` are nested objects, as
form.io submits them). The standard v2 fields come first, then the fields the
configured intermediary's :class:`~adapters.core.config.DriverSpec` declares
for that level (codice IPA, codice tipo dovuto, station, credentials given as
the *name* of an environment variable, ...).
"""

from __future__ import annotations

from typing import Any, Literal

from adapters.core.config import ConfigField, DriverSpec
from adapters.i18n import gettext as _

Level = Literal["tenant", "service"]
ENV_NAME_PATTERN = r"^[A-Z_][A-Z0-9_]*$"
TAXONOMY_PATTERN = r"^[0-9]+/\S+$"
CBILL_PATTERN = r"^[A-Z0-9]{5}$"
POSTAL_ACCOUNT_PATTERN = r"^[0-9]{1,12}$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _component(
    key: str,
    label: str,
    *,
    type_: str = "textfield",
    required: bool = True,
    description: str = "",
    pattern: str | None = None,
    max_length: int | None = None,
    values: list[tuple[str, str]] | None = None,
    default: Any = None,
    hidden: bool = False,
    extra_validate: dict[str, Any] | None = None,
) -> dict[str, Any]:
    validate: dict[str, Any] = {"required": required}
    if pattern:
        validate["pattern"] = pattern
    if max_length:
        validate["maxLength"] = max_length
    validate.update(extra_validate or {})
    component: dict[str, Any] = {
        "label": label,
        "key": key,
        "type": type_,
        "input": True,
        "tableView": True,
        "validate": validate,
    }
    if description:
        component["description"] = description
    component["errors"] = validation_messages(validate)
    if values is not None:
        component["widget"] = "choicesjs"
        component["dataSrc"] = "values"
        component["data"] = {"values": [{"label": lab, "value": val} for val, lab in values]}
    if default is not None:
        component["defaultValue"] = default
    if hidden:
        component["hidden"] = True
    return component


def validation_messages(validate: dict[str, Any]) -> dict[str, str]:
    """form.io's own messages for the checks a component has, in the current language
    (``{{ field }}`` is form.io's placeholder for the label)."""
    messages = {
        "required": _("{{ field }} is required"),
        "pattern": _("{{ field }} does not have the expected format"),
        "maxLength": _("{{ field }} must have at most {{ length }} characters"),
        "min": _("{{ field }} cannot be less than {{ min }}"),
        "integer": _("{{ field }} must be a whole number"),
    }
    active = {name for name, value in validate.items() if value not in (None, False)}
    return {name: text for name, text in messages.items() if name in active}


def _tenant_components() -> list[dict[str, Any]]:
    return [
        _component(
            "id",
            _("Tenant UUID"),
            pattern=UUID_PATTERN,
            description=_("The tenant's id on the platform"),
        ),
        _component(
            "name", _("Creditor name"), max_length=255, description=_("e.g. Comune di Bugliano")
        ),
        _component(
            "tax_identification_number",
            _("Creditor fiscal code"),
            pattern=r"^[0-9]{11}$",
            description=_(
                "11 digits, check digit verified (pagoPA's test code 77777777777 allowed)"
            ),
        ),
        _component("active", _("Active"), type_="checkbox", required=False, default=True),
        *notice_components(),
    ]


def notice_components() -> list[dict[str, Any]]:
    """The tenant fields the paper notice shows besides the creditor's name and code."""
    return [
        _component(
            "office",
            _("Department / office"),
            required=False,
            max_length=100,
            description=_(
                "Printed on the paper notices the proxy renders (GPD), under the creditor's "
                "name: e.g. Ufficio Tributi"
            ),
        ),
        _component(
            "contact_info",
            _("Contacts"),
            required=False,
            max_length=200,
            description=_(
                "Printed on the paper notices the proxy renders (GPD): address, telephone, "
                "e-mail, opening hours"
            ),
        ),
        _component(
            "website",
            _("Creditor's website"),
            required=False,
            max_length=100,
            pattern=r"^\S+$",
            description=_(
                "Printed on the paper notices the proxy renders (GPD), among the channels: "
                "e.g. www.comune.bugliano.pi.it"
            ),
        ),
        _component(
            "cbill_code",
            _("CBILL code"),
            required=False,
            pattern=CBILL_PATTERN,
            description=_(
                "Printed on the paper notices the proxy renders (GPD): the creditor's "
                "5-character interbank CBILL code"
            ),
        ),
        {
            "label": _("Creditor logo"),
            "key": "logo",
            "type": "file",
            "input": True,
            "tableView": False,
            "storage": "base64",
            "image": True,
            "multiple": False,
            "filePattern": "image/png,image/jpeg",
            "fileMaxSize": "512KB",
            "description": _(
                "Printed on the paper notices the proxy renders (GPD): PNG or JPEG, at most 512 KiB"
            ),
            "validate": {"required": False},
        },
        _component(
            "logo_url",
            _("Logo URL"),
            required=False,
            pattern=r"^https?://\S+$",
            description=_(
                "Instead of uploading: the proxy fetches the image once, when this "
                "form is saved (never while printing); PNG or JPEG, at most 512 KiB"
            ),
        ),
        _component(
            "postal_account",
            _("Postal account"),
            required=False,
            pattern=POSTAL_ACCOUNT_PATTERN,
            description=_(
                "When set, notices carry the Poste Italiane part (bollettino postale "
                "PA with its data matrix): up to 12 digits"
            ),
        ),
        _component(
            "postal_account_holder",
            _("Postal account holder"),
            required=False,
            max_length=100,
            description=_("Defaults to the creditor's name"),
        ),
        _component(
            "postal_authorization",
            _("Poste's authorisation to print notices in-house"),
            required=False,
            max_length=100,
            description=_("The authorisation reference Poste Italiane gave the creditor"),
        ),
    ]


def _service_components() -> list[dict[str, Any]]:
    return [
        _component(
            "id",
            _("Configuration UUID"),
            required=False,
            pattern=UUID_PATTERN,
            description=_("Generated by the proxy when omitted; must be unique when given"),
        ),
        _component("tenant_id", _("Tenant UUID"), pattern=UUID_PATTERN),
        _component(
            "payment_type",
            _("Payment type"),
            type_="select",
            values=[("pagopa", "pagoPA"), ("stamp", _("Digital revenue stamp"))],
            default="pagopa",
        ),
        _component("remote_collection.id", _("Remote collection UUID"), pattern=UUID_PATTERN),
        _component(
            "remote_collection.type",
            _("Remote collection type"),
            type_="select",
            values=[
                ("application", _("Application")),
                ("service", _("Service")),
                ("other", _("Other")),
            ],
            default="service",
        ),
        _component(
            "amount",
            _("Amount (euro)"),
            type_="number",
            description=_("Greater than 0, at most 2 decimals; 16.00 for the marca da bollo"),
            extra_validate={"min": 0.01},
        ),
        _component("reason", _("Payment reason"), max_length=255),
        _component(
            "expire_at",
            _("Days of validity"),
            type_="number",
            description=_("Number of days a payment stays payable"),
            extra_validate={"min": 1, "integer": True},
        ),
        _component(
            "collection_data",
            _("pagoPA taxonomy"),
            pattern=TAXONOMY_PATTERN,
            description=_("pagoPA taxonomy (dati specifici di riscossione), e.g. 9/0101108TS/"),
        ),
        _component(
            "receiver.tax_identification_number",
            _("Receiver's fiscal code"),
            required=False,
            pattern=r"^[0-9]{11}$",
            description=_("Multi-beneficiary payments only"),
        ),
        _component("receiver.name", _("Receiver's name"), required=False, max_length=255),
        _component("receiver.iban", _("Receiver's IBAN"), required=False),
        _component("active", _("Active"), type_="checkbox", required=False, default=True),
    ]


def driver_component(spec: ConfigField) -> dict[str, Any]:
    """One driver field as a form.io component, in the current language."""
    label = _(spec.label)
    description = _(spec.description) if spec.description else ""
    if spec.kind == "select":
        return _component(
            spec.key,
            label,
            type_="select",
            required=spec.required,
            description=description,
            values=[(o, o) for o in spec.options],
            default=spec.default,
        )
    if spec.kind == "env":
        # Drivers often say "name of the environment variable" already: say it once.
        if not spec.description:
            description = _("Name of the environment variable holding the secret")
        elif "environment variable" not in spec.description.lower():
            description = _(
                "%(description)s — name of the environment variable holding the secret"
            ) % {"description": description}
        description = _("%(description)s (the secret itself is never stored)") % {
            "description": description
        }
        return _component(
            spec.key,
            label,
            required=spec.required,
            description=description,
            pattern=ENV_NAME_PATTERN,
            default=spec.default,
        )
    return _component(
        spec.key,
        label,
        required=spec.required,
        description=description,
        pattern=spec.pattern,
        default=spec.default,
    )


def form_schema(level: Level, driver: DriverSpec) -> dict[str, Any]:
    """The form.io document served at ``/tenants/schema`` or ``/services/schema``."""
    standard = _tenant_components() if level == "tenant" else _service_components()
    driver_fields = [driver_component(f) for f in driver.fields_for(level)]
    components = standard + driver_fields
    components.append(
        {
            "type": "button",
            "label": _("Save"),
            "key": "submit",
            "input": True,
            "disableOnInvalid": True,
        }
    )
    return {
        "display": "form",
        "title": (
            _("Tenant configuration (%(intermediary)s)")
            if level == "tenant"
            else _("Service configuration (%(intermediary)s)")
        )
        % {"intermediary": _(driver.title)},
        "intermediary": driver.name,
        "components": components,
    }


def field_keys(level: Level, driver: DriverSpec) -> list[str]:
    """Every storable key of a level (component keys, buttons excluded)."""
    return [c["key"] for c in form_schema(level, driver)["components"] if c["type"] != "button"]
