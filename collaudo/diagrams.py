"""Sequence diagrams of recorded exchanges: Mermaid text, and a self-contained SVG/HTML.

The SVG is drawn here (lifelines, one arrow per exchange, failures in red, bus
messages dashed), built as an element tree: no network, no JavaScript, so the
report opens anywhere, including an air-gapped CI artefact viewer.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from collaudo.exchanges import PARTICIPANTS, Exchange

LANE = 150
ROW = 30
TOP = 60
MARGIN = 20
_SVG_NS = "http://www.w3.org/2000/svg"


def in_order(exchanges: Sequence[Exchange]) -> list[Exchange]:
    """By start time (a call that makes calls is recorded when it ends, after them), with
    consecutive identical polls (same caller, request and outcome) folded into one."""
    folded: list[Exchange] = []
    repeats: list[int] = []
    for e in sorted(exchanges, key=lambda e: (e.at, e.seq)):
        last = folded[-1] if folded else None
        if (
            last is not None
            and e.kind == last.kind == "http"
            and (e.caller, e.callee, e.method, e.path, e.status, e.fault)
            == (last.caller, last.callee, last.method, last.path, last.status, last.fault)
        ):
            repeats[-1] += 1
            continue
        folded.append(e)
        repeats.append(1)
    return [
        dataclasses.replace(e, operation=f"{e.label().split(' → ')[0]} ×{n}") if n > 1 else e
        for e, n in zip(folded, repeats, strict=True)
    ]


def participants(exchanges: Sequence[Exchange]) -> list[str]:
    """The parties that appear, in the canonical left-to-right order."""
    seen = {e.caller for e in exchanges} | {e.callee for e in exchanges}
    ordered = [p for p in PARTICIPANTS if p in seen]
    return ordered + sorted(seen - set(ordered))


def _mermaid_id(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum()) or "X"


def _mermaid_text(text: str) -> str:
    # Mermaid ends a message at ';' and treats '#' as an entity start.
    return text.replace(";", ",").replace("#", "n.").replace("\n", " ")


def mermaid(exchanges: Sequence[Exchange], title: str | None = None) -> str:
    """A Mermaid ``sequenceDiagram`` of ``exchanges``."""
    exchanges = in_order(exchanges)
    lines = ["sequenceDiagram"]
    if title:
        lines.append(f"    title {_mermaid_text(title)}")
    for name in participants(exchanges):
        lines.append(f"    participant {_mermaid_id(name)} as {name}")
    for e in exchanges:
        arrow = "-)" if e.kind == "bus" else ("-x" if e.failed else "->>")
        lines.append(
            f"    {_mermaid_id(e.caller)}{arrow}{_mermaid_id(e.callee)}: {_mermaid_text(e.label())}"
        )
    if not exchanges:
        lines.append("    Note over Collaudo: no exchanges recorded")
    return "\n".join(lines) + "\n"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def svg_element(exchanges: Sequence[Exchange], title: str | None = None) -> ET.Element:
    """The diagram as an ``<svg>`` element tree."""
    exchanges = in_order(exchanges)
    names = participants(exchanges) or ["Collaudo"]
    x_of = {name: MARGIN + LANE // 2 + i * LANE for i, name in enumerate(names)}
    width = MARGIN * 2 + LANE * len(names)
    height = TOP + ROW * (len(exchanges) + 1) + MARGIN
    svg = ET.Element(
        "svg",
        {
            "xmlns": _SVG_NS,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "font-family": "sans-serif",
            "font-size": "11",
        },
    )
    defs = _el(svg, "defs")
    for marker_id, colour in (("ok", "#1f4e79"), ("ko", "#b00020"), ("bus", "#5a5a5a")):
        marker = _el(
            defs,
            "marker",
            id=f"arrow-{marker_id}",
            markerWidth=8,
            markerHeight=8,
            refX=8,
            refY=4,
            orient="auto",
        )
        _el(marker, "path", d="M0,0 L8,4 L0,8 z", fill=colour)
    if title:
        _el(svg, "text", title, x=MARGIN, y=18, font_size=13, font_weight="bold")
    for name, x in x_of.items():
        _el(svg, "rect", x=x - 60, y=26, width=120, height=22, rx=4, fill="#eef3f8", stroke="#345")
        _el(svg, "text", name, x=x, y=41, text_anchor="middle")
        _el(
            svg,
            "line",
            x1=x,
            y1=48,
            x2=x,
            y2=height - MARGIN,
            stroke="#99a",
            stroke_dasharray="4 3",
        )
    for row, e in enumerate(exchanges, start=1):
        y = TOP + row * ROW
        x1, x2 = x_of.get(e.caller, MARGIN), x_of.get(e.callee, MARGIN)
        kind = "bus" if e.kind == "bus" else ("ko" if e.failed else "ok")
        colour = {"ok": "#1f4e79", "ko": "#b00020", "bus": "#5a5a5a"}[kind]
        group = _el(svg, "g")
        _el(group, "title", f"{e.caller} → {e.callee}: {e.label()} ({e.duration_ms:.0f} ms)")
        if x1 == x2:  # a call to itself: a small loop
            path = f"M{x1},{y - 8} h30 v10 h-28"
            _el(group, "path", d=path, fill="none", stroke=colour, marker_end=f"url(#arrow-{kind})")
        else:
            line = _el(
                group,
                "line",
                x1=x1,
                y1=y,
                x2=x2 + (-4 if x2 > x1 else 4),
                y2=y,
                stroke=colour,
                marker_end=f"url(#arrow-{kind})",
            )
            if kind == "bus":
                line.set("stroke-dasharray", "6 3")
        _el(
            group,
            "text",
            f"{row}. {e.label()}",
            x=(x1 + x2) / 2 if x1 != x2 else x1 + 34,
            y=y - 5,
            text_anchor="middle" if x1 != x2 else "start",
            fill=colour,
        )
    return svg


def svg(exchanges: Sequence[Exchange], title: str | None = None) -> str:
    """The diagram as a standalone SVG document."""
    ET.register_namespace("", _SVG_NS)
    return ET.tostring(svg_element(exchanges, title), encoding="unicode")


def html(exchanges: Sequence[Exchange], title: str) -> str:
    """One self-contained page: the diagram, then every exchange with its excerpts."""
    root = ET.Element("html", lang="it")
    head = _el(root, "head")
    _el(head, "meta", charset="utf-8")
    _el(head, "title", title)
    _el(
        head,
        "style",
        "body{font-family:sans-serif;margin:1.5em}td,th{border-bottom:1px solid #ddd;"
        "padding:.2em .5em;vertical-align:top;font-size:12px}pre{white-space:pre-wrap;"
        "max-width:60em;margin:0}.ko{color:#b00020}",
    )
    body = _el(root, "body")
    _el(body, "h1", title)
    body.append(svg_element(exchanges))
    table = _el(body, "table")
    header = _el(table, "tr")
    for column in ("#", "time", "from → to", "what", "outcome", "request", "response"):
        _el(header, "th", column)
    for index, e in enumerate(in_order(exchanges), start=1):
        tr = _el(table, "tr", **({"class": "ko"} if e.failed else {}))
        _el(tr, "td", str(index))
        _el(tr, "td", datetime.fromtimestamp(e.at).strftime("%H:%M:%S.%f")[:-3])
        _el(tr, "td", f"{e.caller} → {e.callee}")
        _el(tr, "td", e.operation if e.kind == "http" and e.operation else f"{e.method} {e.path}")
        _el(tr, "td", e.label().rsplit("→", 1)[-1].strip() if e.kind == "http" else "published")
        _el(_el(tr, "td"), "pre", e.request)
        _el(_el(tr, "td"), "pre", e.response)
    ET.register_namespace("", _SVG_NS)
    return "<!doctype html>\n" + ET.tostring(root, encoding="unicode", method="html")
