"""The MyPay driver's configuration fields, and the credentials they name.

Tenant fields say where MyPay is and who the ente is; the password is never configured
itself, only the name of the environment variable holding it.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core.config import ConfigField
from adapters.core.intermediary import CreditorConfig
from adapters.drivers import _config
from adapters.i18n import N_

F_WSDL = ConfigField(
    "mypay_wsdl_url",
    N_("MyPay WSDL URL"),
    "tenant",
    description=N_("URL (or file path) of the pa-per-ente WSDL, e.g. https://host/ws/pa?wsdl"),
)
F_ENDPOINT = ConfigField(
    "mypay_endpoint_url",
    N_("MyPay SOAP endpoint URL"),
    "tenant",
    required=False,
    description=N_("Only when it differs from the WSDL URL without '?wsdl'"),
)
F_IPA = ConfigField(
    "mypay_codice_ipa", N_("Creditor's IPA code"), "tenant", pattern=r"[A-Za-z0-9_.-]{1,35}"
)
F_PASSWORD = ConfigField(
    "mypay_password_env",
    N_("MyPay password"),
    "tenant",
    kind="env",
    default="MYPAY_PASSWORD",
    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
    description=N_("Name of the environment variable holding the password"),
)
F_SEGREGATION = ConfigField(
    "mypay_segregation_code",
    N_("Segregation code"),
    "tenant",
    pattern=r"\d{2}",
    description=N_("Two digits (aux digit 3 notice numbers)"),
)
F_APPLICATION = ConfigField(
    "mypay_application_code",
    N_("Application code (notices with aux digit 0)"),
    "tenant",
    required=False,
    pattern=r"\d{2}",
)
F_TIPO_DOVUTO = ConfigField(
    "mypay_codice_tipo_dovuto",
    N_("Debt type code (codice tipo dovuto)"),
    "service",
    pattern=r"\S.{0,63}",
    description=N_("The ente's classification in MyPay, e.g. DIRITTI_SEGRETERIA"),
)
FIELDS = (F_WSDL, F_ENDPOINT, F_IPA, F_PASSWORD, F_SEGREGATION, F_APPLICATION, F_TIPO_DOVUTO)


def password(creditor: CreditorConfig, environ: Mapping[str, str]) -> str:
    """The ente's password, from the environment variable the tenant names."""
    value = _config.secret(creditor, F_PASSWORD, environ)
    assert value is not None  # secret() raises unless optional
    return value


def secrets(creditor: CreditorConfig, environ: Mapping[str, str]) -> list[str]:
    """The values a call record must redact (the password, when it is set)."""
    name = creditor.settings.get(F_PASSWORD.key) or F_PASSWORD.default or ""
    value = environ.get(str(name))
    return [value] if value else []


def credential_hint(creditor: CreditorConfig) -> str:
    """What to check when MyPay refuses access (never the password itself)."""
    env = creditor.settings.get(F_PASSWORD.key) or F_PASSWORD.default
    ipa = creditor.settings.get(F_IPA.key)
    return f"the codice IPA ({ipa}) and the password in environment variable {env}"


def taxonomy(creditor: CreditorConfig, explicit: str | None = None) -> str | None:
    """The pagoPA taxonomy code: the request's own, else the tenant's ``taxonomy`` setting."""
    value = explicit or creditor.settings.get("taxonomy")
    return str(value) if value else None
