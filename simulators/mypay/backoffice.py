"""``/backoffice``: the dovuti, their state and the exchanges that touched them (HTML)."""

from __future__ import annotations

from html import escape

from simulators.mypay.model import Position

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#17324d}
table{border-collapse:collapse;width:100%;margin-bottom:1rem}
th,td{border:1px solid #c5d0da;padding:.3rem .5rem;text-align:left;font-size:.9rem;
  vertical-align:top}
th{background:#e8eef3}.state{font-weight:bold}
details pre{white-space:pre-wrap;word-break:break-all;background:#f5f7f9;padding:.5rem;
  font-size:.8rem}
"""


def _exchanges(position: Position) -> str:
    if not position.exchanges:
        return "<p>No exchanges yet.</p>"
    rows = []
    for exchange in reversed(position.exchanges):
        rows.append(
            "<details><summary>"
            f"{escape(exchange.at.isoformat(timespec='seconds'))} · {escape(exchange.operation)}"
            f" · {exchange.status}</summary>"
            f"<p>Request</p><pre>{escape(exchange.request)}</pre>"
            f"<p>Response</p><pre>{escape(exchange.response)}</pre></details>"
        )
    return "".join(rows)


def render(title: str, positions: list[Position]) -> str:
    """The whole page, newest dovuti first."""
    rows = []
    for p in reversed(positions):
        receipt = p.paid.receipt_id if p.paid else ""
        rows.append(
            f'<tr id="iuv-{escape(p.iuv)}"><td>{escape(p.creditor.cod_ipa)}</td>'
            f"<td>{escape(p.iuv)}<br><small>{escape(p.notice_number)}</small></td>"
            f"<td>{escape(', '.join(i.iud for i in p.items))}</td>"
            f"<td>{escape(', '.join(i.tipo_dovuto for i in p.items))}</td>"
            f"<td>{escape(p.causale)}</td><td>{p.amount:.2f}</td>"
            f"<td>{escape(p.debtor.name)}<br><small>{escape(p.debtor.fiscal_code)}</small></td>"
            f'<td class="state">{escape(p.state)}</td><td>{escape(receipt)}</td>'
            f'<td><a href="/avvisi/{escape(p.iuv)}.pdf">PDF</a></td>'
            f"<td>{_exchanges(p)}</td></tr>"
        )
    body = "".join(rows) or '<tr><td colspan="11">No dovuti yet.</td></tr>'
    return (
        f'<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f'<p>{len(positions)} dovuti · JSON at <a href="/_admin/positions">/_admin/positions</a>'
        "</p><table><thead><tr><th>Ente</th><th>IUV / avviso</th><th>IUD</th><th>Tipo dovuto</th>"
        "<th>Causale</th><th>Importo</th><th>Debitore</th><th>Stato</th><th>Ricevuta</th>"
        f"<th>Avviso</th><th>Scambi</th></tr></thead><tbody>{body}</tbody></table></body></html>"
    )
