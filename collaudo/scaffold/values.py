"""Where a contract field's value comes from: the payment the proxy holds, by the field's name.

:func:`source` reads a field name (any case, Italian or English) and returns the Python
expression a generated driver uses for it, in the scope of a verb: ``request`` (a
:class:`DebtPositionRequest`, creating) or ``ctx`` (a :class:`PositionContext`, the other
verbs). ``None``: the payment has nothing for it (the generator then makes it a configuration
field or a value from the schema marked for the integrator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

Scope = Literal["request", "ctx"]


def normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Source:
    expression: str
    what: str  # said in the generated docstring: "payment amount (cents)"
    optional: bool = False  # may be None at run time


_CREDITOR_CF = re.compile(
    r"^(organizationfiscalcode|iddominio|codicefiscaleente|cfente|idpa|organizationcf"
    r"|fiscalcodeorganization|codfiscaleente|enteid|creditorfiscalcode)$"
)
_IUD = re.compile(
    r"^(iupd|iud|idpendenza|identificativounivocodovuto|iddebtposition|debtpositionid)$"
)
_IUV = re.compile(r"^(iuv|identificativounivocoversamento|creditorreferenceid)$")
_NOTICE = re.compile(r"^(nav|noticenumber|numeroavviso|codiceavviso|noticecode)$")
_AMOUNT = re.compile(r"^(amount|importo|importototale|totalamount|importosingoloversamento)$")
_REASON = re.compile(
    r"^(description|causale|causaleversamento|remittanceinformation|reason|descrizione"
    r"|oggetto|subject)$"
)
_DUE = re.compile(r"^(duedate|datascadenza|scadenza|expirationdate|expiredate|expireat)$")
_DEBTOR_CF = re.compile(
    r"^(fiscalcode|codicefiscale|codiceidentificativounivoco|identificativounivocopagatore"
    r"|cfpagatore|debtorfiscalcode|payerfiscalcode|identificativo)$"
)
_DEBTOR_NAME = re.compile(
    r"^(fullname|anagrafica|anagraficapagatore|nomecognome|debtorname|payername)$"
)
_CREDITOR_NAME = re.compile(
    r"^(companyname|ragionesociale|denominazione|nomeente|organizationname|denominazioneente)$"
)
_DEBTOR = {
    "email": re.compile(r"^(email|emailpagatore|emailnotice|mail)$"),
    "street_name": re.compile(r"^(streetname|indirizzo|indirizzopagatore)$"),
    "building_number": re.compile(r"^(civicnumber|civico|numerocivico|civicopagatore)$"),
    "postal_code": re.compile(r"^(postalcode|cap|cappagatore|zipcode)$"),
    "town_name": re.compile(r"^(city|localita|localitapagatore|townname)$"),
    "province": re.compile(r"^(province|provincia|provinciapagatore)$"),
    "country": re.compile(r"^(country|nazione|nazionepagatore)$"),
}
_TAXONOMY = re.compile(r"^(category|taxonomy|tassonomia|datispecificiriscossione|collectiondata)$")
IBAN = re.compile(r"^(iban|ibanaccredito)$")
_RETURN = {
    "ok": re.compile(r"(returnok|ok|success|ritorno|return|back)\w*url|^url(ritorno|return|ok)"),
    "cancel": re.compile(r"(cancel|annull)\w*url"),
    "error": re.compile(r"(error|errore|ko)\w*url"),
}


def _scaled(amount: str, schema: dict[str, Any]) -> tuple[str, str]:
    kind = schema.get("type")
    if kind == "integer":
        return f"to_cents({amount})", "payment amount in euro cents (the schema says integer)"
    if kind == "number":
        return f"float({amount})", "payment amount in euro"
    return f"str({amount})", "payment amount in euro, as text"


def source(name: str, schema: dict[str, Any], scope: Scope) -> Source | None:
    """The expression for field ``name`` (whose schema is ``schema``) in ``scope``."""
    key = normal(name)
    request = scope == "request"
    creditor = "creditor"
    debtor = "request.debtor" if request else "ctx.debtor"
    limit = schema.get("maxLength")

    def text(expression: str) -> str:
        return f"cut({expression}, {limit})" if isinstance(limit, int) else expression

    if _CREDITOR_CF.match(key):
        return Source(f"{creditor}.creditor_fiscal_code", "creditor's fiscal code")
    if _IUD.match(key):
        return Source("ids.iud" if request else "ctx.position.iud", "payment's IUD")
    if _IUV.match(key):
        return Source("ids.iuv" if request else "ctx.position.iuv", "IUV")
    if _NOTICE.match(key):
        return Source(
            "ids.notice_number" if request else "ctx.position.notice_number", "notice number"
        )
    if _AMOUNT.match(key):
        expression, what = _scaled("request.amount" if request else "ctx.position.amount", schema)
        return Source(expression, what)
    if _REASON.match(key):
        return Source(text("request.reason" if request else "ctx.reason"), "payment reason")
    if _DUE.match(key):
        moment = "request.expire_at" if request else "ctx.expire_at"
        helper = "day" if schema.get("format") == "date" else "iso"
        return Source(f"{helper}({moment})", "expiry (a year from now when the payment has none)")
    if _DEBTOR_CF.match(key):
        return Source(f"{debtor}.fiscal_code.upper()", "debtor's fiscal code")
    if _DEBTOR_NAME.match(key):
        return Source(text(f"{debtor}.full_name or {debtor}.fiscal_code"), "debtor's name")
    if _CREDITOR_NAME.match(key):
        return Source(text(f"{creditor}.creditor_name"), "creditor's name")
    for attribute, rule in _DEBTOR.items():
        if rule.match(key):
            return Source(f"{debtor}.{attribute}", f"debtor's {attribute}", optional=True)
    if _TAXONOMY.match(key):
        own = ", request.taxonomy" if request else ""
        return Source(
            f"taxonomy({creditor}{own})", "pagoPA taxonomy (the service's collection_data)"
        )
    if not request and "url" in key:
        for which, rule in _RETURN.items():
            if rule.search(key):
                return Source(f"return_urls.{which}", f"the citizen's return URL ({which})")
    enum = schema.get("enum")
    if isinstance(enum, list) and sorted(map(str, enum)) == ["F", "G"]:
        return Source(
            f'"G" if {debtor}.type == "legal" else "F"', "debtor type (F person, G legal)"
        )
    return None
