"""The PDFs GovPay prints: the notice (avviso di pagamento) and the receipt.

Small real one-page PDFs (reportlab); the notice carries the pagoPA QR code
``PAGOPA|002|<numeroAvviso>|<idDominio>|<cents>`` (segno, error correction M).
"""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from simulators.govpay.model import Pendenza, Rpp


def _euro(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + f",{cents} €"


def _page(
    heading: str, title: str, subject: str, lines: list[tuple[str, str]], qr: str | None
) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor("GovPay simulator (collaudo)")
    pdf.setSubject(subject)
    width, height = A4
    y = height - 25 * mm
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(20 * mm, y, heading)
    y -= 10 * mm
    for label, value in lines:
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(20 * mm, y, label)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(75 * mm, y, value[:80])
        y -= 7 * mm
    if qr is not None:
        png = io.BytesIO()
        segno.make_qr(qr, error="m", boost_error=False).save(png, kind="png", scale=6, border=4)
        png.seek(0)
        size = 45 * mm
        pdf.drawImage(ImageReader(png), width - 20 * mm - size, height - 30 * mm - size, size, size)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def notice_pdf(p: Pendenza, ragione_sociale: str) -> bytes:
    assert p.numero_avviso is not None
    cents = int(p.importo * 100)
    qr = f"PAGOPA|002|{p.numero_avviso}|{p.id_dominio}|{cents:02d}"
    lines = [
        ("Oggetto", p.causale),
        ("Ente creditore", ragione_sociale),
        ("Codice fiscale ente", p.id_dominio),
        ("Destinatario", str(p.soggetto.get("anagrafica") or p.soggetto["identificativo"])),
        ("Codice fiscale destinatario", str(p.soggetto["identificativo"])),
        ("Importo", _euro(p.importo)),
        ("Scadenza", p.data_scadenza.strftime("%d/%m/%Y") if p.data_scadenza else "-"),
        ("Codice avviso", " ".join(p.numero_avviso[i : i + 4] for i in range(0, 18, 4))),
    ]
    return _page("AVVISO DI PAGAMENTO", f"Avviso di pagamento {p.numero_avviso}", qr, lines, qr)


def receipt_pdf(p: Pendenza, r: Rpp, ragione_sociale: str) -> bytes:
    lines = [
        ("Ente creditore", ragione_sociale),
        ("Oggetto", p.causale),
        ("IUV", r.iuv),
        ("Identificativo ricevuta", r.ccp),
        ("Importo pagato", _euro(r.importo)),
        ("Data pagamento", r.paid_at.strftime("%d/%m/%Y %H:%M")),
        ("PSP", r.psp_name),
        ("Esito", r.esito),
    ]
    title = f"Ricevuta di pagamento {r.iuv}"
    return _page("RICEVUTA DI PAGAMENTO", title, f"{p.id_dominio} {r.iuv} {r.ccp}", lines, None)
