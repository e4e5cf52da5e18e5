"""The GPD driver's configuration fields, and the subscription keys they name.

The base URLs default to pagoPA's UAT environment; the keys are never configured
themselves, only the names of the environment variables holding them.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core.config import ConfigField
from adapters.core.intermediary import CreditorConfig
from adapters.drivers import _config
from adapters.i18n import N_

UAT = "https://api.uat.platform.pagopa.it"
F_GPD_URL = ConfigField(
    "gpd_base_url",
    N_("GPD debt positions API"),
    "tenant",
    default=f"{UAT}/gpd/debt-positions-service/v1",
    pattern=r"https?://\S+",
)
F_RECEIPTS_URL = ConfigField(
    "gpd_receipts_url",
    N_("GPD payments-receipts API"),
    "tenant",
    default=f"{UAT}/gpd/payments-receipts-service/v1",
    pattern=r"https?://\S+",
)
F_CHECKOUT_URL = ConfigField(
    "checkout_base_url",
    N_("pagoPA Checkout EC API"),
    "tenant",
    default=f"{UAT}/checkout/ec/v1",
    pattern=r"https?://\S+",
)
F_KEY = ConfigField(
    "gpd_subscription_key_env",
    N_("GPD subscription key"),
    "tenant",
    kind="env",
    default="GPD_SUBSCRIPTION_KEY",
    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
    description=N_("Name of the environment variable holding Ocp-Apim-Subscription-Key"),
)
F_CHECKOUT_KEY = ConfigField(
    "checkout_subscription_key_env",
    N_("Checkout subscription key"),
    "tenant",
    required=False,
    kind="env",
    default="CHECKOUT_SUBSCRIPTION_KEY",
    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
    description=N_("Name of the environment variable; no key is sent when it is unset"),
)
F_SEGREGATION = ConfigField(
    "gpd_segregation_code", N_("Segregation code"), "tenant", pattern=r"\d{2}"
)
F_IBAN = ConfigField(
    "gpd_iban",
    N_("IBAN to credit"),
    "service",
    required=False,
    pattern=r"[A-Za-z0-9]{1,35}",
    description=N_("Needed for every payment but a digital stamp alone"),
)
FIELDS = (F_GPD_URL, F_RECEIPTS_URL, F_CHECKOUT_URL, F_KEY, F_CHECKOUT_KEY, F_SEGREGATION, F_IBAN)


def key(creditor: CreditorConfig, environ: Mapping[str, str]) -> str:
    """The GPD subscription key, from the environment variable the tenant names."""
    value = _config.secret(creditor, F_KEY, environ)
    assert value is not None
    return value


def secrets(creditor: CreditorConfig, environ: Mapping[str, str]) -> list[str]:
    """The values a call record must redact (both subscription keys, when set)."""
    found = []
    for spec in (F_KEY, F_CHECKOUT_KEY):
        name = creditor.settings.get(spec.key) or spec.default or ""
        value = environ.get(str(name))
        if value:
            found.append(value)
    return found


def credential(creditor: CreditorConfig, spec: ConfigField) -> str:
    """What to check when access is refused (the variable's name, never its value)."""
    name = creditor.settings.get(spec.key) or spec.default
    return f"the subscription key in environment variable {name}"
