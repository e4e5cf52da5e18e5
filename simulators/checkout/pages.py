"""The checkout's pages: plain server-rendered HTML forms, Italian text, no JavaScript.

Stable hooks for tests (HTTP clients and Playwright): every page has ``<main
id="<page>" data-cart="<id>" data-status="<status>">``; forms and fields keep fixed
ids and names:

- cart ``/c/{id}``: ``form#carrello`` (``input#email`` name ``email``,
  ``button#paga``), ``form#annulla`` (``button#annulla-pagamento``);
  ``li.avviso[data-notice]`` per notice; errors in ``#errore-verifica``;
- method ``/c/{id}/scegli-metodo``: ``form#metodo``, radio ``name=method``
  (``#metodo-CP`` card);
- card ``/c/{id}/inserisci-carta``: ``form#carta`` with ``#titolare`` (``holder``),
  ``#numero`` (``number``), ``#scadenza`` (``expiry``), ``#cvv`` (``cvv``),
  ``button#continua``; a wrong field gets ``aria-invalid`` and ``#errore-<name>``;
- confirmation ``/c/{id}/riepilogo-pagamento``: ``form#conferma``
  (``button#conferma-pagamento``), totals in ``#importo``, ``#commissione``,
  ``#totale``;
- outcome ``/c/{id}/esito``: ``#esito[data-outcome=OK|KO]``, ``a#continua`` (back to the
  creditor), ``a#riprova`` after a declined card.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from simulators.checkout.state import Cart

_STYLE = """
body{font-family:"Titillium Web",system-ui,sans-serif;margin:0;color:#17324d;background:#f5f5f5}
header{background:#0073e6;color:#fff;padding:1rem 2rem}header p{margin:0;font-weight:600}
main{background:#fff;margin:2rem auto;padding:1.5rem 2rem;max-width:40rem;border-radius:4px}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}input{font-size:1rem;padding:.4rem}
form button{display:block}
button,a.bottone{font-size:1rem;padding:.5rem 1.2rem;margin:.8rem .5rem 0 0;cursor:pointer}
.errore{color:#a00}ul.avvisi{list-style:none;padding:0}li.avviso{border-bottom:1px solid #ccd;
padding:.6rem 0}.importo{font-weight:700}fieldset{border:none;padding:0}
"""


def euros(amount: Decimal) -> str:
    """``1.234,50 €``, as the Italian checkout writes amounts."""
    text = f"{amount:,.2f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{text} €"


def page(title: str, page_id: str, body: str, cart: Cart | None = None) -> str:
    attrs = f' id="{page_id}"'
    if cart is not None:
        attrs += f' data-cart="{escape(cart.id)}" data-status="{escape(cart.status)}"'
    return (
        '<!DOCTYPE html><html lang="it"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - pagoPA</title><style>{_STYLE}</style></head><body>"
        "<header><p>pagoPA</p><p>Checkout (simulatore di collaudo)</p></header>"
        f"<main{attrs}><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def _notices(cart: Cart) -> str:
    items = []
    for n in cart.notices:
        verified = n.verified
        description = verified.description if verified else n.description
        company = verified.company_name if verified else n.company_name
        items.append(
            f'<li class="avviso" data-notice="{escape(n.notice_number)}">'
            f"<p>{escape(description)}</p><p>{escape(company)}</p>"
            f"<p>Codice avviso <span>{escape(n.notice_number)}</span> · "
            f"Codice fiscale ente <span>{escape(n.fiscal_code)}</span></p>"
            f'<p class="importo">{euros(n.amount)}</p></li>'
        )
    return f'<ul class="avvisi">{"".join(items)}</ul>'


def _cancel_form(cart: Cart) -> str:
    return (
        f'<form id="annulla" method="post" action="/c/{escape(cart.id)}/annulla">'
        '<button id="annulla-pagamento" type="submit">Annulla</button></form>'
    )


def cart_page(cart: Cart) -> str:
    email = escape(cart.email or "")
    body = (
        "<p>Stai pagando:</p>"
        + _notices(cart)
        + f'<p>Totale: <span id="totale-carrello" class="importo">{euros(cart.total)}</span></p>'
        + f'<form id="carrello" method="post" action="/c/{escape(cart.id)}">'
        '<label for="email">Indirizzo email per ricevere l\'esito</label>'
        f'<input id="email" name="email" type="email" autocomplete="email" value="{email}">'
        '<button id="paga" type="submit">Paga</button></form>' + _cancel_form(cart)
    )
    return page("Il tuo carrello", "carrello-pagina", body, cart)


VERIFY_MESSAGES = {
    "PAA_PAGAMENTO_SCONOSCIUTO": "L'avviso non risulta all'ente creditore.",
    "PAA_PAGAMENTO_SCADUTO": "L'avviso è scaduto.",
    "PAA_PAGAMENTO_DUPLICATO": "L'avviso risulta già pagato.",
    "PAA_PAGAMENTO_IN_CORSO": "C'è già un pagamento in corso per questo avviso.",
    "PAA_PAGAMENTO_ANNULLATO": "L'avviso è stato annullato dall'ente creditore.",
}


def verify_error_page(cart: Cart) -> str:
    rows = []
    for n in cart.notices:
        if n.verify_error is None:
            continue
        code = n.verify_error.fault_code
        message = VERIFY_MESSAGES.get(code, "L'ente creditore non ha risposto correttamente.")
        rows.append(
            f'<li class="avviso" data-notice="{escape(n.notice_number)}" '
            f'data-fault="{escape(code)}"><p>Avviso {escape(n.notice_number)}: '
            f"{escape(message)}</p><p>Dettaglio: {escape(code)} - "
            f"{escape(n.verify_error.description)}</p></li>"
        )
    body = (
        '<div id="errore-verifica" role="alert"><p>Non è possibile pagare questo carrello.</p>'
        f'<ul class="avvisi">{"".join(rows)}</ul></div>'
        f'<p><a id="continua" class="bottone" href="/c/{escape(cart.id)}/ritorno">'
        "Torna al sito dell'ente</a></p>"
    )
    return page("Impossibile procedere con il pagamento", "errore-verifica-pagina", body, cart)


def method_page(cart: Cart, error: str | None = None) -> str:
    alert = (
        f'<p id="errore-metodo" class="errore" role="alert">{escape(error)}</p>' if error else ""
    )
    body = (
        f"<p>Totale da pagare: {euros(cart.total)}</p>{alert}"
        f'<form id="metodo" method="post" action="/c/{escape(cart.id)}/scegli-metodo">'
        "<fieldset><legend>Come vuoi pagare?</legend>"
        '<input id="metodo-CP" type="radio" name="method" value="CP" checked>'
        '<label for="metodo-CP">Carta di credito o debito</label>'
        '<input id="metodo-BPAY" type="radio" name="method" value="BPAY" disabled>'
        '<label for="metodo-BPAY">BANCOMAT Pay (non disponibile nel simulatore)</label>'
        '<input id="metodo-PPAL" type="radio" name="method" value="PPAL" disabled>'
        '<label for="metodo-PPAL">PayPal (non disponibile nel simulatore)</label>'
        '</fieldset><button id="continua" type="submit">Continua</button></form>'
        + _cancel_form(cart)
    )
    return page("Scegli il metodo di pagamento", "metodo-pagina", body, cart)


_FIELDS = [
    ("holder", "titolare", "Titolare della carta", "text", "cc-name"),
    ("number", "numero", "Numero della carta", "text", "cc-number"),
    ("expiry", "scadenza", "Scadenza (MM/AA)", "text", "cc-exp"),
    ("cvv", "cvv", "Codice di sicurezza (CVV)", "password", "cc-csc"),
]


def card_page(cart: Cart, values: dict[str, str], errors: dict[str, str]) -> str:
    fields = []
    for name, field_id, label, kind, autocomplete in _FIELDS:
        error = errors.get(name)
        value = "" if name == "cvv" else escape(values.get(name, ""))
        described = f' aria-invalid="true" aria-describedby="errore-{name}"' if error else ""
        fields.append(
            f'<label for="{field_id}">{label}</label>'
            f'<input id="{field_id}" name="{name}" type="{kind}" autocomplete="{autocomplete}" '
            f'value="{value}" required{described}>'
            + (f'<p id="errore-{name}" class="errore">{escape(error)}</p>' if error else "")
        )
    summary = (
        '<p id="errori-carta" class="errore" role="alert">Controlla i dati della carta.</p>'
        if errors
        else ""
    )
    body = (
        f"<p>Totale da pagare: {euros(cart.total)}</p>{summary}"
        f'<form id="carta" method="post" action="/c/{escape(cart.id)}/inserisci-carta" novalidate>'
        + "".join(fields)
        + '<button id="continua" type="submit">Continua</button></form>'
        + _cancel_form(cart)
    )
    return page("Inserisci i dati della carta", "carta-pagina", body, cart)


def card_screen_error_page(cart: Cart) -> str:
    body = (
        '<div id="errore-carta" role="alert"><p>Si è verificato un errore durante '
        "l'inserimento dei dati della carta. Nessun importo è stato addebitato.</p></div>"
        f'<p><a id="riprova" class="bottone" href="/c/{escape(cart.id)}/inserisci-carta">'
        "Riprova</a></p>" + _cancel_form(cart)
    )
    return page("Ops! Qualcosa è andato storto", "errore-carta-pagina", body, cart)


def confirm_page(cart: Cart, fee: Decimal) -> str:
    card = cart.card
    assert card is not None
    body = (
        _notices(cart) + f'<p>Importo: <span id="importo">{euros(cart.total)}</span></p>'
        f'<p>Commissione: <span id="commissione">{euros(fee)}</span></p>'
        f'<p>Totale: <span id="totale" class="importo">{euros(cart.total + fee)}</span></p>'
        f"<p>Paghi con {escape(card.brand)} ···· {escape(card.last4)} "
        f"(scadenza {escape(card.expiry)})</p>"
        f'<form id="conferma" method="post" action="/c/{escape(cart.id)}/conferma">'
        '<button id="conferma-pagamento" type="submit">Paga '
        f"{euros(cart.total + fee)}</button></form>" + _cancel_form(cart)
    )
    return page("Riepilogo del pagamento", "riepilogo-pagina", body, cart)


def outcome_page(cart: Cart) -> str:
    back = f'<a id="continua" class="bottone" href="/c/{escape(cart.id)}/ritorno">'
    if cart.status == "PAID":
        body = (
            '<div id="esito" data-outcome="OK" role="status"><p>Grazie, hai pagato '
            f"{euros(cart.total)}. Riceverai la ricevuta"
            + (f" all'indirizzo {escape(cart.email)}" if cart.email else "")
            + ".</p></div>"
            + f"<p>{back}Torna al sito dell'ente</a></p>"
        )
        return page("Grazie, hai pagato!", "esito-pagina", body, cart)
    retry = ""
    if cart.status == "DECLINED":
        retry = (
            f'<a id="riprova" class="bottone" href="/c/{escape(cart.id)}/inserisci-carta">'
            "Riprova con un'altra carta</a>"
        )
    reason = escape(cart.error or "Il pagamento non è andato a buon fine.")
    body = (
        f'<div id="esito" data-outcome="KO" role="alert"><p>{reason}</p>'
        "<p>Nessun importo è stato addebitato.</p></div>"
        f"<p>{retry}{back}Torna al sito dell'ente</a></p>"
    )
    return page("Il pagamento non è riuscito", "esito-pagina", body, cart)


def lost_outcome_page(cart: Cart) -> str:
    body = (
        '<div id="esito-sconosciuto" role="alert"><p>Si è verificato un errore imprevisto e '
        "non siamo in grado di mostrarti l'esito del pagamento.</p>"
        "<p>Codice errore: 504 - timeout</p></div>"
    )
    return page("Spiacenti, si è verificato un errore", "errore-esito-pagina", body, cart)


def message_page(title: str, message: str, page_id: str, cart: Cart | None = None) -> str:
    return page(title, page_id, f'<p role="alert">{escape(message)}</p>', cart)
