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
    if values is not None:
        component["widget"] = "choicesjs"
        component["dataSrc"] = "values"
        component["data"] = {"values": [{"label": lab, "value": val} for val, lab in values]}
    if default is not None:
        component["defaultValue"] = default
    if hidden:
        component["hidden"] = True
    return component


def _tenant_components() -> list[dict[str, Any]]:
    return [
        _component(
            "id",
            "UUID del Tenant",
            pattern=UUID_PATTERN,
            description="The tenant's id on the platform",
        ),
        _component("name", "Nome dell'ente", max_length=255, description="e.g. Comune di Bugliano"),
        _component(
            "tax_identification_number",
            "Codice fiscale dell'ente",
            pattern=r"^[0-9]{11}$",
            description="11 digits, check digit verified (pagoPA's test code 77777777777 allowed)",
        ),
        _component("active", "Attivo", type_="checkbox", required=False, default=True),
        *notice_components(),
    ]


NOTICE_HINT = "Printed on the paper notices the proxy renders (GPD)"


def notice_components() -> list[dict[str, Any]]:
    """The tenant fields the paper notice shows besides the creditor's name and code."""
    return [
        _component(
            "office",
            "Settore / ufficio",
            required=False,
            max_length=100,
            description=f"{NOTICE_HINT}, under the creditor's name: e.g. Ufficio Tributi",
        ),
        _component(
            "contact_info",
            "Contatti",
            required=False,
            max_length=200,
            description=f"{NOTICE_HINT}: address, telephone, e-mail, opening hours",
        ),
        _component(
            "website",
            "Sito web dell'ente",
            required=False,
            max_length=100,
            pattern=r"^\S+$",
            description=f"{NOTICE_HINT}, among the channels: e.g. www.comune.bugliano.pi.it",
        ),
        _component(
            "cbill_code",
            "Codice CBILL",
            required=False,
            pattern=CBILL_PATTERN,
            description=f"{NOTICE_HINT}: the creditor's 5-character interbank CBILL code",
        ),
        {
            "label": "Logo dell'ente",
            "key": "logo",
            "type": "file",
            "input": True,
            "tableView": False,
            "storage": "base64",
            "image": True,
            "multiple": False,
            "filePattern": "image/png,image/jpeg",
            "fileMaxSize": "512KB",
            "description": f"{NOTICE_HINT}: PNG or JPEG, at most 512 KiB",
            "validate": {"required": False},
        },
        _component(
            "logo_url",
            "URL del logo",
            required=False,
            pattern=r"^https?://\S+$",
            description="Instead of uploading: the proxy fetches the image once, when this "
            "form is saved (never while printing); PNG or JPEG, at most 512 KiB",
        ),
        _component(
            "postal_account",
            "Conto corrente postale",
            required=False,
            pattern=POSTAL_ACCOUNT_PATTERN,
            description="When set, notices carry the Poste Italiane part (bollettino postale "
            "PA with its data matrix): up to 12 digits",
        ),
        _component(
            "postal_account_holder",
            "Intestatario del conto corrente postale",
            required=False,
            max_length=100,
            description="Defaults to the creditor's name",
        ),
        _component(
            "postal_authorization",
            "Autorizzazione Poste alla stampa in proprio",
            required=False,
            max_length=100,
            description="The authorisation reference Poste Italiane gave the creditor",
        ),
    ]


def _service_components() -> list[dict[str, Any]]:
    return [
        _component(
            "id",
            "UUID della configurazione",
            required=False,
            pattern=UUID_PATTERN,
            description="Generated by the proxy when omitted; must be unique when given",
        ),
        _component("tenant_id", "UUID del Tenant", pattern=UUID_PATTERN),
        _component(
            "payment_type",
            "Tipo di pagamento",
            type_="select",
            values=[("pagopa", "pagoPA"), ("stamp", "Marca da bollo digitale")],
            default="pagopa",
        ),
        _component("remote_collection.id", "UUID della collezione remota", pattern=UUID_PATTERN),
        _component(
            "remote_collection.type",
            "Tipo della collezione remota",
            type_="select",
            values=[("application", "Pratica"), ("service", "Servizio"), ("other", "Altro")],
            default="service",
        ),
        _component(
            "amount",
            "Importo (euro)",
            type_="number",
            description="Greater than 0, at most 2 decimals; 16.00 for the marca da bollo",
            extra_validate={"min": 0.01},
        ),
        _component("reason", "Causale", max_length=255),
        _component(
            "expire_at",
            "Giorni di validità",
            type_="number",
            description="Number of days a payment stays payable",
            extra_validate={"min": 1, "integer": True},
        ),
        _component(
            "collection_data",
            "Tassonomia pagoPA",
            pattern=TAXONOMY_PATTERN,
            description="pagoPA taxonomy (dati specifici di riscossione), e.g. 9/0101108TS/",
        ),
        _component(
            "receiver.tax_identification_number",
            "Codice fiscale del beneficiario",
            required=False,
            pattern=r"^[0-9]{11}$",
            description="Multi-beneficiary payments only",
        ),
        _component("receiver.name", "Nome del beneficiario", required=False, max_length=255),
        _component("receiver.iban", "IBAN del beneficiario", required=False),
        _component("active", "Attivo", type_="checkbox", required=False, default=True),
    ]


def driver_component(spec: ConfigField) -> dict[str, Any]:
    """One driver field as a form.io component."""
    if spec.kind == "select":
        return _component(
            spec.key,
            spec.label,
            type_="select",
            required=spec.required,
            description=spec.description,
            values=[(o, o) for o in spec.options],
            default=spec.default,
        )
    if spec.kind == "env":
        # Drivers often say "name of the environment variable" already: say it once.
        base = spec.description or "Name of the environment variable holding the secret"
        if "environment variable" not in base.lower():
            base = f"{base} — name of the environment variable holding the secret"
        description = f"{base} (the secret itself is never stored)"
        return _component(
            spec.key,
            spec.label,
            required=spec.required,
            description=description,
            pattern=ENV_NAME_PATTERN,
            default=spec.default,
        )
    return _component(
        spec.key,
        spec.label,
        required=spec.required,
        description=spec.description,
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
            "label": "Salva",
            "key": "submit",
            "input": True,
            "disableOnInvalid": True,
        }
    )
    return {
        "display": "form",
        "title": f"{'Tenant' if level == 'tenant' else 'Service'} configuration ({driver.title})",
        "intermediary": driver.name,
        "components": components,
    }


def field_keys(level: Level, driver: DriverSpec) -> list[str]:
    """Every storable key of a level (component keys, buttons excluded)."""
    return [c["key"] for c in form_schema(level, driver)["components"] if c["type"] != "button"]
