"""A sequence diagram of report exchanges as self-contained SVG (no script, no network)."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from collaudo.recorder.evidence import Evidence, roles

SVG = "http://www.w3.org/2000/svg"
LANE, ROW, TOP, MARGIN = 190, 34, 56, 24


def _el(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: object
) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{SVG}}}{tag}", {k.replace("_", "-"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def parties(exchanges: Sequence[Evidence]) -> list[str]:
    seen = list(dict.fromkeys(p for e in exchanges for p in (e.caller, e.callee)))
    order = roles()
    return sorted(seen, key=lambda p: (order.index(p) if p in order else len(order), seen.index(p)))


def svg(exchanges: Sequence[Evidence]) -> etree._Element:
    """The diagram: one lifeline per party, one arrow per request and its answer."""
    lanes = parties(exchanges)
    x = {p: MARGIN + LANE // 2 + i * LANE for i, p in enumerate(lanes)}
    height = TOP + ROW * 2 * len(exchanges) + MARGIN * 2
    width = max(LANE * len(lanes) + MARGIN * 2, 400)
    root = etree.Element(
        f"{{{SVG}}}svg",
        nsmap={None: SVG},
        width=str(width),
        height=str(height),
        viewBox=f"0 0 {width} {height}",
        role="img",
    )
    defs = _el(root, "defs")
    marker = _el(
        defs, "marker", id="arrow", markerWidth=10, markerHeight=8, refX=9, refY=4, orient="auto"
    )
    _el(marker, "path", d="M0,0 L10,4 L0,8 z", fill="#333")
    for party, px in x.items():
        _el(
            root, "rect", x=px - 80, y=10, width=160, height=28, rx=4, fill="#eef2f7", stroke="#567"
        )
        _el(
            root,
            "text",
            party,
            x=px,
            y=29,
            text_anchor="middle",
            font_size=13,
            font_family="sans-serif",
        )
        _el(
            root,
            "line",
            x1=px,
            y1=38,
            x2=px,
            y2=height - MARGIN,
            stroke="#aab",
            stroke_dasharray="4 3",
        )
    y = TOP
    for e in exchanges:
        colour = "#c0392b" if e.failed else "#333"
        x1, x2 = x[e.caller], x[e.callee]
        y += ROW
        _el(root, "line", x1=x1, y1=y, x2=x2, y2=y, stroke=colour, marker_end="url(#arrow)")
        _label(root, f"#{e.index} {e.operation}", (x1 + x2) / 2, y, colour)
        y += ROW
        answer = "no answer" if e.status is None else f"{e.status} {e.outcome}"
        if e.fault_code:
            answer += f" {e.fault_code}"
        _el(
            root,
            "line",
            x1=x2,
            y1=y,
            x2=x1,
            y2=y,
            stroke=colour,
            stroke_dasharray="5 3",
            marker_end="url(#arrow)",
        )
        _label(root, answer, (x1 + x2) / 2, y, colour)
    return root


def _label(root: etree._Element, text: str, x: float, y: float, colour: str) -> None:
    """A message's label, centred above its arrow."""
    _el(
        root,
        "text",
        text,
        x=x,
        y=y - 5,
        text_anchor="middle",
        font_size=11,
        font_family="sans-serif",
        fill=colour,
    )
