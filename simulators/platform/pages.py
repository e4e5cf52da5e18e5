"""The citizen's pages: the payments list with its links, one application, a form.

Every value is escaped, and only http(s) links published by the proxy become
anchors: a link is data from another system and must not run script here.
Elements carry ``data-*`` attributes so browser tests need not parse Italian.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import urlsplit

from simulators.platform.models import (
    DEMO_SERVICES,
    DEMO_TENANT_NAME,
    RESIDENZA_ID,
    STATUS_LABELS,
)
from simulators.platform.state import Application, PaymentRecord, Platform

DEMO_PAYER = {
    "type": "human",
    "tax_identification_number": "RSSMRA80A01H501U",
    "name": "Mario",
    "family_name": "Rossi",
    "email": "mario.rossi@example.org",
    "town_name": "Bugliano",
    "country_subdivision": "PI",
    "country": "IT",
}
_PAYER_LABELS = {
    "tax_identification_number": "Codice fiscale",
    "name": "Nome",
    "family_name": "Cognome",
    "email": "E-mail",
    "country_subdivision": "Provincia di residenza",
}
_OPEN = {"PAYMENT_PENDING", "PAYMENT_STARTED"}  # the citizen can still pay
_POLLING = {"CREATION_PENDING", "PAYMENT_STARTED"}  # the Core front end keeps polling

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a}
header{background:#0066cc;color:#fff;padding:1rem 2rem}header h1{margin:0}
main{padding:1rem 2rem;max-width:72rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ccd;padding:.5rem;text-align:left;vertical-align:top}
.azioni a{margin-right:1rem}.errore{color:#a00}fieldset{border:1px solid #ccd;margin:1rem 0}
label{display:block;margin:.3rem 0}pre{background:#f4f4f8;padding:1rem;overflow:auto}
"""


def euros(amount: Decimal | float | int) -> str:
    """``€ 1.234,50``: Italian grouping and decimal comma."""
    text = f"{Decimal(str(amount)):,.2f}"
    return "€ " + text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def safe_url(value: Any) -> str | None:
    if not isinstance(value, str) or urlsplit(value).scheme not in {"http", "https"}:
        return None
    return value


def link_url(record: PaymentRecord, name: str) -> str | None:
    link = record.document.get("links", {}).get(name)
    return safe_url(link.get("url")) if isinstance(link, dict) else None


def page(title: str, body: str, *, refresh: bool = False) -> str:
    meta = '<meta http-equiv="refresh" content="2">' if refresh else ""
    return (
        '<!doctype html><html lang="it"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{meta}<style>{_STYLE}</style></head><body>"
        f"<header><h1>Area Personale</h1><p>{escape(DEMO_TENANT_NAME)} · "
        "simulatore della piattaforma OpenCity</p></header>"
        f"<main>{body}</main></body></html>"
    )


def status_badge(record: PaymentRecord) -> str:
    status = record.status
    label = STATUS_LABELS.get(status, status)
    return f'<span class="stato" data-status="{escape(status)}">{escape(label)}</span>'


def actions(record: PaymentRecord) -> str:
    """The links the citizen may use now: pay or download the notice, or the receipt."""
    wanted = []
    if record.status in _OPEN:
        wanted += [
            ("online_payment_begin", "paga-online", "Paga online"),
            ("offline_payment", "scarica-avviso", "Scarica avviso"),
        ]
    if record.status == "COMPLETE":
        wanted.append(("receipt", "scarica-ricevuta", "Scarica ricevuta"))
    anchors = [
        f'<a class="{css}" data-link="{name}" href="{escape(url)}">{label}</a>'
        for name, css, label in wanted
        if (url := link_url(record, name))
    ]
    return f'<span class="azioni">{"".join(anchors)}</span>'


def service_name(service_id: uuid.UUID) -> str:
    return DEMO_SERVICES.get(service_id, str(service_id))


def _payment_row(record: PaymentRecord, application: Application | None) -> str:
    payment = record.document.get("payment", {})
    amount = payment.get("amount") if isinstance(payment, dict) else None
    first = (
        f'<a href="/applications/{application.id}">{application.id}</a>'
        if application
        else escape(str(record.latest.remote_id or "—"))
    )
    return (
        f'<tr data-payment-id="{record.latest.id}" data-status="{escape(record.status)}"'
        f' data-application-id="{application.id if application else ""}">'
        f"<td>{first}</td><td>{escape(service_name(record.latest.service_id))}</td>"
        f"<td>{escape(str(record.document.get('reason', '')))}</td>"
        f"<td>{escape(euros(amount)) if isinstance(amount, int | float) else '—'}</td>"
        f"<td>{status_badge(record)}</td><td>{actions(record)}</td></tr>"
    )


def _table(rows: list[str]) -> str:
    return (
        "<table><thead><tr><th>Pratica</th><th>Servizio</th><th>Causale</th><th>Importo</th>"
        f"<th>Stato</th><th>Azioni</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _payer_inputs() -> str:
    fields = "".join(
        f'<label>{escape(label)} <input name="payer.{key}" value="{escape(DEMO_PAYER[key])}">'
        "</label>"
        for key, label in _PAYER_LABELS.items()
    )
    hidden = "".join(
        f'<input type="hidden" name="payer.{key}" value="{escape(value)}">'
        for key, value in DEMO_PAYER.items()
        if key not in _PAYER_LABELS
    )
    return f"<fieldset><legend>Richiedente</legend>{fields}{hidden}</fieldset>"


def _form(tenant_id: uuid.UUID, service_id: uuid.UUID, amount: Decimal, extra: str) -> str:
    label = f"Presenta: {service_name(service_id)} ({euros(amount)})"
    return (
        f'<form method="post" action="/applications" data-service-id="{service_id}">'
        f'<input type="hidden" name="tenant_id" value="{tenant_id}">'
        f'<input type="hidden" name="service_id" value="{service_id}">'
        f'<input type="hidden" name="amount" value="{amount}">{extra}{_payer_inputs()}'
        f'<button type="submit">{escape(label)}</button></form>'
    )


def citizen_page(
    platform: Platform, tenant_id: uuid.UUID, service_id: uuid.UUID, amount: Decimal
) -> str:
    """``GET /``: every application's payment, other payments, and the demo forms."""
    rows = [
        _payment_row(platform.payment_of(a), a)
        for a in sorted(platform.applications.values(), key=lambda a: a.submitted_at, reverse=True)
    ]
    body = "<section id='pagamenti'><h2>Le tue pratiche e i pagamenti</h2>"
    body += _table(rows) if rows else "<p>Nessuna pratica presentata.</p>"
    body += "</section>"
    others = [_payment_row(r, None) for r in platform.unattached_payments()]
    if others:
        body += f"<section id='altri-pagamenti'><h2>Altri pagamenti</h2>{_table(others)}</section>"
    # Each page load gets its own document, so each stamp is for a different hash.
    document = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    stamp = f'<input type="hidden" name="document_hash" value="sha256:{document}">'
    body += (
        "<section id='nuova-pratica'><h2>Presenta una pratica</h2>"
        + _form(tenant_id, service_id, amount, "")
        + _form(tenant_id, RESIDENZA_ID, Decimal("16.00"), stamp)
        + "</section>"
    )
    refresh = any(platform.payment_of(a).status in _POLLING for a in platform.applications.values())
    return page("Area Personale — pagamenti", body, refresh=refresh)


def application_page(platform: Platform, application: Application) -> str:
    """``GET /applications/{id}``: the landing page after an online payment."""
    record = platform.payment_of(application)
    history = "".join(
        f"<tr><td>{e.at.isoformat()}</td><td>{escape(e.via)}</td><td>{escape(e.status)}</td>"
        f"<td>{e.outcome.value}</td></tr>"
        for e in record.exchanges
    )
    body = (
        f"<section id='pratica' data-application-id='{application.id}'"
        f" data-payment-id='{application.payment_id}' data-status='{escape(record.status)}'>"
        f"<h2>Pratica {application.id}</h2>"
        f"<p>Servizio: {escape(service_name(application.service_id))}</p>"
        f"<p>Richiedente: {escape(application.payer_name)}</p>"
        f"<p>Causale: {escape(str(record.document.get('reason', '')))}</p>"
        f"<p>Stato del pagamento: {status_badge(record)}</p><p>{actions(record)}</p>"
        "<p><a href='/'>Torna ai tuoi pagamenti</a></p></section>"
        "<section><h3>Cronologia</h3><table><thead><tr><th>Quando</th><th>Da</th>"
        f"<th>Stato</th><th>Esito</th></tr></thead><tbody>{history}</tbody></table></section>"
        "<section><h3>Ultimo evento di pagamento</h3>"
        f"<pre>{escape(json.dumps(record.document, indent=2, ensure_ascii=False))}</pre>"
        "</section>"
    )
    return page(f"Pratica {application.id}", body, refresh=record.status in _POLLING)


def error_page(title: str, errors: list[dict[str, str]]) -> str:
    items = "".join(
        f"<li><code>{escape(e['field'])}</code>: {escape(e['message'])}</li>" for e in errors
    )
    body = (
        f"<section class='errore'><h2>{escape(title)}</h2><ul>{items}</ul></section>"
        "<p><a href='/'>Torna indietro</a></p>"
    )
    return page(title, body)
