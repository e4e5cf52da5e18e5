"""``/backoffice``: the debt positions, their state and the exchanges that touched them."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from simulators.gpd.store import GpdStore

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#17324d}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{border:1px solid #c5d0db;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#e8eef4} .PAID{color:#008055;font-weight:bold} .INVALID,.EXPIRED{color:#a00}
small{color:#5c6f82}
"""


def _euro(cents: int) -> str:
    return f"{cents / 100:.2f} €"


def _options(row: dict[str, Any]) -> str:
    items = []
    for option in row["paymentOptions"]:
        receipt = option["receipt"]
        extra = f"<br><small>receipt {escape(receipt['receiptId'])}</small>" if receipt else ""
        stamps = (
            f"<br><small>digital stamp on transfer {', '.join(option['stamps'])}</small>"
            if option["stamps"]
            else ""
        )
        items.append(
            f"{escape(option['nav'])} · {_euro(option['amount'])} · {escape(option['status'])}"
            f"{extra}{stamps}"
        )
    return "<br>".join(items)


def _exchanges(row: dict[str, Any]) -> str:
    return "<br>".join(
        f"<small>{escape(x['at'])}</small> {escape(x['channel'])} {escape(x['operation'])} → "
        f"{escape(x['outcome'])}"
        for x in row["exchanges"]
    )


def render(rows: list[dict[str, Any]], title: str) -> str:
    body = "".join(
        f"<tr><td>{escape(r['organizationFiscalCode'])}</td><td>{escape(r['iupd'])}</td>"
        f'<td class="{escape(r["status"])}">{escape(r["status"])}</td>'
        f"<td>{escape(r['debtor'])}</td><td>{_euro(r['amount'])}</td>"
        f"<td>{_options(r)}</td><td>{_exchanges(r)}</td></tr>"
        for r in rows
    )
    empty = '<tr><td colspan="7">No debt positions yet.</td></tr>'
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>{len(rows)} debt position(s).</p><table><thead><tr><th>Creditor</th><th>IUPD</th>"
        "<th>Status</th><th>Debtor</th><th>Amount</th><th>Payment options (notice · amount · "
        "status)</th><th>Exchanges</th></tr></thead>"
        f"<tbody>{body or empty}</tbody></table></body></html>"
    )


def backoffice_endpoint(store: GpdStore, title: str) -> Any:
    async def backoffice(request: Request) -> HTMLResponse:
        return HTMLResponse(render(store.positions(), title))

    return backoffice
