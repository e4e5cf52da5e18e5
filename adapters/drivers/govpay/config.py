"""The GovPay driver's configuration fields, and the credentials they name.

Tenant fields say where GovPay is, which GovPay "Applicazione" the proxy is (``idA2A``),
how it authenticates (HTTP Basic by default, ``apikey`` headers or a client certificate),
how notice numbers are made and how the citizen pays; they also say how GovPay must
authenticate when it calls the proxy's API Ente. Service fields say which tipo pendenza
and which entrata (or IBAN and accounting code) a payment goes to. Secrets are never
configured themselves, only the names of the environment variables holding them.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core.config import ConfigField
from adapters.core.intermediary import CreditorConfig, RequestRejected
from adapters.drivers import _config

# Checkout is the same pagoPA service for every driver: the same fields.
from adapters.drivers.gpd.config import F_CHECKOUT_KEY as F_CHECKOUT_KEY
from adapters.drivers.gpd.config import F_CHECKOUT_URL as F_CHECKOUT_URL
from adapters.i18n import N_

ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
ID_A2A = r"[a-zA-Z0-9\-_]{1,35}"
URL = r"https?://\S+"

# -- where GovPay is and who the proxy is ---------------------------------------------------

F_BASE_URL = ConfigField(
    "govpay_base_url",
    N_("GovPay API Pendenze v2"),
    "tenant",
    pattern=URL,
    description=N_(
        "e.g. https://host/govpay/backend/api/pendenze/rs/basic/v2 (the <auth> part "
        "of the path must match the authentication chosen below)"
    ),
)
F_ID_A2A = ConfigField(
    "govpay_id_a2a",
    N_("Application code (idA2A)"),
    "tenant",
    pattern=ID_A2A,
    description=N_("The proxy's Applicazione in GovPay, authorised on this ente and tipo pendenza"),
)
F_AUTH = ConfigField(
    "govpay_auth",
    N_("Authentication towards GovPay"),
    "tenant",
    kind="select",
    default="basic",
    options=("basic", "apikey", "ssl"),
    description=N_("basic: HTTP Basic; apikey: X-APP-ID + X-API-KEY; ssl: client certificate"),
)
F_USERNAME = ConfigField(
    "govpay_username",
    N_("User (HTTP Basic)"),
    "tenant",
    required=False,
    pattern=r"\S{1,255}",
    description=N_("The principal of the Applicazione; the idA2A when empty"),
)
F_PASSWORD = ConfigField(
    "govpay_password_env",
    N_("Password (HTTP Basic)"),
    "tenant",
    required=False,
    kind="env",
    default="GOVPAY_PASSWORD",
    pattern=ENV_NAME,
    description=N_("Name of the environment variable holding the password"),
)
F_APP_ID = ConfigField(
    "govpay_app_id",
    N_("X-APP-ID (apikey)"),
    "tenant",
    required=False,
    pattern=r"\S{1,255}",
    description=N_("Sent as X-APP-ID with the apikey authentication; the idA2A when empty"),
)
F_API_KEY = ConfigField(
    "govpay_api_key_env",
    N_("X-API-KEY (apikey)"),
    "tenant",
    required=False,
    kind="env",
    default="GOVPAY_API_KEY",
    pattern=ENV_NAME,
    description=N_("Name of the environment variable holding the API key"),
)
F_CLIENT_CERT = ConfigField(
    "govpay_client_cert",
    N_("Client certificate (ssl)"),
    "tenant",
    required=False,
    pattern=r"\S+",
    description=N_("Path of the PEM client certificate on the proxy's host"),
)
F_CLIENT_KEY = ConfigField(
    "govpay_client_key",
    N_("Client certificate's private key (ssl)"),
    "tenant",
    required=False,
    pattern=r"\S+",
    description=N_("Path of the PEM private key; empty when the certificate file holds it"),
)
F_CA_BUNDLE = ConfigField(
    "govpay_ca_bundle",
    N_("Trusted CA"),
    "tenant",
    required=False,
    pattern=r"\S+",
    description=N_("Path of a PEM bundle to verify GovPay's server certificate (default: system)"),
)

# -- notice numbers, payment, receipt ----------------------------------------------------------

F_IUV_MODE = ConfigField(
    "govpay_iuv_mode",
    N_("Notice number generation"),
    "tenant",
    kind="select",
    default="govpay",
    options=("govpay", "proxy"),
    description=N_(
        "govpay: GovPay assigns it (ente with IUV generated internally); proxy: the "
        "proxy derives it from the payment id (aux digit 3 and the segregation code)"
    ),
)
F_SEGREGATION = ConfigField(
    "govpay_segregation_code",
    N_("Segregation code"),
    "tenant",
    required=False,
    pattern=r"\d{2}",
    description=N_("Needed when the proxy makes the numero avviso"),
)
F_PAYMENT_MODE = ConfigField(
    "govpay_payment_mode",
    N_("Online payment"),
    "tenant",
    kind="select",
    default="checkout",
    options=("checkout", "pagamenti"),
    description=N_(
        "checkout: the proxy calls pagoPA Checkout POST /carts (GovPay's documented "
        "flow); pagamenti: GovPay's API Pagamento v2 POST /pagamenti (deprecated)"
    ),
)
F_PAGAMENTO_URL = ConfigField(
    "govpay_pagamento_url",
    N_("GovPay API Pagamento v2"),
    "tenant",
    required=False,
    pattern=URL,
    description=N_(
        "e.g. https://host/govpay/frontend/api/pagamento/rs/ssl/v2; only for "
        "payment mode 'pagamenti'"
    ),
)
F_RECEIPT_SOURCE = ConfigField(
    "govpay_receipt_source",
    N_("Receipt source"),
    "tenant",
    kind="select",
    default="pendenze",
    options=("pendenze", "ragioneria"),
    description=N_(
        "pendenze: GET /rpp/{idDominio}/{iuv}/{ccp}/rt; ragioneria: API Ragioneria v3 "
        "GET /ricevute/{idDominio}/{iuv}/{idRicevuta}"
    ),
)
F_RAGIONERIA_URL = ConfigField(
    "govpay_ragioneria_url",
    N_("GovPay API Ragioneria v3"),
    "tenant",
    required=False,
    pattern=URL,
    description=N_("e.g. https://host/govpay/backend/api/ragioneria/rs/basic/v3"),
)
F_RECEIPT_FORMAT = ConfigField(
    "govpay_receipt_format",
    N_("Receipt format"),
    "tenant",
    kind="select",
    default="xml",
    options=("xml", "pdf", "json"),
    description=N_(
        "xml: the pagoPA receipt as issued (digital stamps readable); pdf: GovPay's "
        "printout; json: GovPay's JSON"
    ),
)

# -- how GovPay authenticates to the proxy's API Ente ------------------------------------------

F_ENTE_AUTH = ConfigField(
    "govpay_ente_auth",
    N_("GovPay's authentication towards the proxy (API Ente)"),
    "tenant",
    kind="select",
    default="basic",
    options=("basic", "apikey"),
    description=N_("What GovPay's connector for this Applicazione sends to the proxy"),
)
F_ENTE_USERNAME = ConfigField(
    "govpay_ente_username",
    N_("User expected from GovPay (API Ente, basic)"),
    "tenant",
    required=False,
    default="govpay",
    pattern=r"\S{1,255}",
)
F_ENTE_PASSWORD = ConfigField(
    "govpay_ente_password_env",
    N_("Password expected from GovPay (API Ente, basic)"),
    "tenant",
    required=False,
    kind="env",
    default="GOVPAY_ENTE_PASSWORD",
    pattern=ENV_NAME,
    description=N_("Name of the environment variable holding the password GovPay sends"),
)
F_ENTE_APP_ID = ConfigField(
    "govpay_ente_app_id",
    N_("X-APP-ID expected from GovPay (API Ente, apikey)"),
    "tenant",
    required=False,
    default="govpay",
    pattern=r"\S{1,255}",
)
F_ENTE_API_KEY = ConfigField(
    "govpay_ente_api_key_env",
    N_("X-API-KEY expected from GovPay (API Ente, apikey)"),
    "tenant",
    required=False,
    kind="env",
    default="GOVPAY_ENTE_API_KEY",
    pattern=ENV_NAME,
    description=N_("Name of the environment variable holding the key GovPay sends"),
)

# -- per service: what the payment is for ------------------------------------------------------

F_TIPO_PENDENZA = ConfigField(
    "govpay_id_tipo_pendenza",
    N_("Debt type (idTipoPendenza)"),
    "service",
    pattern=r"[a-zA-Z0-9\-_.]{1,35}",
    description=N_("A tipo pendenza registered for the ente in GovPay, e.g. DIRITTI_SEGRETERIA"),
)
F_COD_ENTRATA = ConfigField(
    "govpay_cod_entrata",
    N_("Revenue code (codEntrata)"),
    "service",
    required=False,
    pattern=r"[a-zA-Z0-9\-_.]{1,35}",
    description=N_(
        "An entrata configured in GovPay (IBAN and taxonomy come from it); "
        "otherwise give IBAN, tipo and codice contabilità"
    ),
)
F_IBAN = ConfigField(
    "govpay_iban",
    N_("IBAN to credit"),
    "service",
    required=False,
    pattern=r"[a-zA-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}",
)
F_TIPO_CONTABILITA = ConfigField(
    "govpay_tipo_contabilita",
    N_("Accounting type"),
    "service",
    required=False,
    kind="select",
    options=("CAPITOLO", "SPECIALE", "SIOPE", "ALTRO"),
    description=N_("With the IBAN: how codice contabilità is coded (pagoPA category digit)"),
)
F_CODICE_CONTABILITA = ConfigField(
    "govpay_codice_contabilita",
    N_("Accounting code"),
    "service",
    required=False,
    pattern=r"\S.{0,134}",
    description=N_("With the IBAN: e.g. the capitolo di bilancio or the taxonomy code"),
)
F_TASSONOMIA_AVVISO = ConfigField(
    "govpay_tassonomia_avviso",
    N_("Notice taxonomy (AgID)"),
    "service",
    required=False,
    kind="select",
    options=(
        "Cartelle esattoriali",
        "Diritti e concessioni",
        "Imposte e tasse",
        "IMU, TASI e altre tasse comunali",
        "Ingressi a mostre e musei",
        "Multe e sanzioni amministrative",
        "Previdenza e infortuni",
        "Servizi erogati dal comune",
        "Servizi erogati da altri enti",
        "Servizi scolastici",
        "Tassa automobilistica",
        "Ticket e prestazioni sanitarie",
        "Trasporti, mobilità e parcheggi",
    ),
)

FIELDS = (
    F_BASE_URL,
    F_ID_A2A,
    F_AUTH,
    F_USERNAME,
    F_PASSWORD,
    F_APP_ID,
    F_API_KEY,
    F_CLIENT_CERT,
    F_CLIENT_KEY,
    F_CA_BUNDLE,
    F_IUV_MODE,
    F_SEGREGATION,
    F_PAYMENT_MODE,
    F_CHECKOUT_URL,
    F_CHECKOUT_KEY,
    F_PAGAMENTO_URL,
    F_RECEIPT_SOURCE,
    F_RAGIONERIA_URL,
    F_RECEIPT_FORMAT,
    F_ENTE_AUTH,
    F_ENTE_USERNAME,
    F_ENTE_PASSWORD,
    F_ENTE_APP_ID,
    F_ENTE_API_KEY,
    F_TIPO_PENDENZA,
    F_COD_ENTRATA,
    F_IBAN,
    F_TIPO_CONTABILITA,
    F_CODICE_CONTABILITA,
    F_TASSONOMIA_AVVISO,
)


def choice(creditor: CreditorConfig, spec: ConfigField) -> str:
    """A select field's value, checked against its options."""
    value = _config.required(creditor, spec)
    if value not in spec.options:
        raise RequestRejected(
            f"configuration field {spec.key!r} ({spec.label}) is {value!r}: choose one of "
            f"{', '.join(spec.options)} in the {spec.level} configuration",
            code="CONFIGURATION",
        )
    return value


def id_a2a(creditor: CreditorConfig) -> str:
    return _config.required(creditor, F_ID_A2A)


def _env_value(creditor: CreditorConfig, spec: ConfigField, environ: Mapping[str, str]) -> str:
    name = creditor.settings.get(spec.key) or spec.default or ""
    return environ.get(str(name), "")


def secrets(creditor: CreditorConfig, environ: Mapping[str, str]) -> list[str]:
    """The values a call record must redact: every secret the tenant names, when set."""
    found = [
        _env_value(creditor, spec, environ)
        for spec in (F_PASSWORD, F_API_KEY, F_CHECKOUT_KEY, F_ENTE_PASSWORD, F_ENTE_API_KEY)
    ]
    return [value for value in found if value]


def credential(creditor: CreditorConfig) -> str:
    """What to check when GovPay refuses access (names, never values)."""
    auth = creditor.settings.get(F_AUTH.key) or F_AUTH.default
    who = creditor.settings.get(F_ID_A2A.key)
    if auth == "apikey":
        env = creditor.settings.get(F_API_KEY.key) or F_API_KEY.default
        return f"the X-APP-ID and the API key in environment variable {env} (idA2A {who})"
    if auth == "ssl":
        cert = creditor.settings.get(F_CLIENT_CERT.key)
        return f"the client certificate {cert} registered for Applicazione {who}"
    env = creditor.settings.get(F_PASSWORD.key) or F_PASSWORD.default
    user = creditor.settings.get(F_USERNAME.key) or who
    return f"the user {user} and the password in environment variable {env}"
