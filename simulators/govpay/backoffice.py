"""``/backoffice``: the pendenze, their stato read now, receipts, exchanges and notifications."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#17324d}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{border:1px solid #c5d0db;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#e8eef4} .ESEGUITA{color:#008055;font-weight:bold}
.ANNULLATA,.SCADUTA,.ANOMALA{color:#a00;font-weight:bold} small{color:#5c6f82}
"""


def _rows(positions: list[dict[str, Any]]) -> str:
    rows = []
    for p in positions:
        receipts = "<br>".join(
            f"{escape(r['idRicevuta'])} · {r['importo']:.2f} € · {escape(r['psp'])}"
            for r in p["rpp"]
        )
        exchanges = "<br>".join(
            f"<small>{escape(x['at'])}</small> {escape(x['channel'])} {escape(x['operation'])} → "
            f"{escape(x['outcome'])}"
            for x in p["exchanges"]
        )
        rows.append(
            f"<tr><td>{escape(p['idA2A'])}<br><small>{escape(p['idPendenza'])}</small></td>"
            f"<td>{escape(p['idDominio'])}</td><td>{escape(p['numeroAvviso'] or '')}</td>"
            f'<td class="{escape(p["stato"])}">{escape(p["stato"])}</td>'
            f"<td>{p['importo']:.2f} €</td><td>{receipts}</td><td>{exchanges}</td></tr>"
        )
    return "".join(rows) or '<tr><td colspan="7">Nessuna pendenza.</td></tr>'


def _notifications(items: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{n['id']}</td><td>{escape(n['idDominio'])}/{escape(n['iuv'])}/"
        f"{escape(n['idRicevuta'])}</td><td>{escape(n['state'])}</td>"
        f"<td>{len(n['attempts'])}</td><td>{escape(n['url'] or '')}</td></tr>"
        for n in items
    )
    return rows or '<tr><td colspan="5">Nessuna notifica.</td></tr>'


def render(title: str, positions: list[dict[str, Any]], notifications: list[dict[str, Any]]) -> str:
    return (
        f'<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<h2>Pendenze ({len(positions)})</h2><table><thead><tr><th>idA2A / idPendenza</th>"
        "<th>Dominio</th><th>Numero avviso</th><th>Stato</th><th>Importo</th>"
        "<th>Ricevute (rpp)</th><th>Scambi</th></tr></thead>"
        f"<tbody>{_rows(positions)}</tbody></table>"
        f"<h2>Notifiche API Ente ({len(notifications)})</h2><table><thead><tr><th>#</th>"
        "<th>Ricevuta</th><th>Stato</th><th>Tentativi</th><th>URL</th></tr></thead>"
        f"<tbody>{_notifications(notifications)}</tbody></table></body></html>"
    )


def backoffice_endpoint(simulator: Any, title: str) -> Any:
    async def backoffice(request: Request) -> HTMLResponse:
        return HTMLResponse(render(title, simulator.positions(), simulator.notifications()))

    return backoffice
