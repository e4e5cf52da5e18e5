"""Hypothesis strategies generated from XSD components (walked with xmlschema).

:func:`element_strategy` draws an lxml element that is valid for an ``XsdElement``: every
required child, optional ones present or absent, simple values from the type's facets
(enumerations, patterns, lengths, ranges, fraction digits) with the edges drawn on
purpose — strings of exactly the maximum length, non-ASCII text, amounts 0.01 and
999999999.99. ``overrides`` map an element's local name to a strategy of its text (the
pagoPA domain generators, e.g. notice numbers with right and wrong check digits).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from lxml import etree

XSD = "http://www.w3.org/2001/XMLSchema"
NON_ASCII = "àèéìòùÀÈÉÌÒÙçÇßäöüñ€ŁŻ日本"
TEXT_ALPHABET = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,'/()" + NON_ASCII
)
# Characters XML 1.0 can carry (no control characters, no surrogates).
XML_CHARS = st.characters(
    codec="utf-8", blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
)
AMOUNT_EDGES = (Decimal("0.01"), Decimal("999999999.99"))
MAX_DEPTH = 12
MAX_REPEAT = 2

Overrides = Mapping[str, st.SearchStrategy[str | None]]


def _facet(simple: Any, name: str) -> Any:
    """A facet value, looked up along the restriction chain."""
    current = simple
    while current is not None:
        facets = getattr(current, "facets", None) or {}
        found = facets.get(f"{{{XSD}}}{name}")
        if found is not None:
            return getattr(found, "value", None)
        current = getattr(current, "base_type", None)
    return None


def _patterns(simple: Any) -> list[str]:
    current = simple
    while current is not None:
        patterns = getattr(current, "patterns", None)
        if patterns is not None and getattr(patterns, "regexps", None):
            return list(patterns.regexps)
        current = getattr(current, "base_type", None)
    return []


INTEGER_NAMES = ("integer", "Integer", "int", "Int", "long", "Long", "short", "Short", "byte")


def _is_integer(simple: Any) -> bool:
    current = simple
    while current is not None:
        name = str(getattr(current, "local_name", None) or "")
        if name.endswith(INTEGER_NAMES):
            return True
        current = getattr(current, "base_type", None)
    return False


def _xsd_regex(pattern: str) -> str:
    # XSD regexes are anchored; \d means any Unicode digit: generate ASCII ones.
    return pattern.replace("\\d", "[0-9]")


def _text(min_len: int, max_len: int | None) -> st.SearchStrategy[str]:
    top = max_len if max_len is not None else max(min_len, 40)
    body = st.text(TEXT_ALPHABET, min_size=max(min_len, 1), max_size=top)
    edges = [st.text(TEXT_ALPHABET, min_size=top, max_size=top)]  # exactly the maximum
    edges.append(st.just((NON_ASCII * (top // len(NON_ASCII) + 1))[: max(top, min_len, 1)]))
    return st.one_of(body, *edges).filter(lambda s: min_len <= len(s) <= top)


def _decimal(simple: Any) -> st.SearchStrategy[str]:
    places = _facet(simple, "fractionDigits")
    low = _facet(simple, "minInclusive")
    high = _facet(simple, "maxInclusive")
    low_x = _facet(simple, "minExclusive")
    low = (
        Decimal(str(low))
        if low is not None
        else (Decimal(str(low_x)) + Decimal("0.01") if low_x is not None else Decimal("0"))
    )
    high = Decimal(str(high)) if high is not None else Decimal("999999999.99")
    digits = int(places) if places is not None else 2
    values = st.decimals(low, high, places=digits, allow_nan=False, allow_infinity=False)
    edges = st.sampled_from([d for d in (*AMOUNT_EDGES, low, high) if low <= d <= high])
    fmt = (lambda d: f"{d:.{digits}f}") if digits else (lambda d: str(int(d)))
    return st.one_of(edges, values).map(fmt)


_CACHE: dict[int, tuple[Any, st.SearchStrategy[str]]] = {}


def simple_strategy(simple: Any) -> st.SearchStrategy[str]:
    """Valid lexical values of an ``XsdSimpleType`` (atomic; lists and unions get text).

    Strategies are cached per type: building them (regexes, filters) costs more than drawing.
    """
    cached = _CACHE.get(id(simple))
    if cached is not None and cached[0] is simple:
        return cached[1]
    strategy = _simple_strategy(simple)
    low = int(getattr(simple, "min_length", None) or 0)
    high = getattr(simple, "max_length", None)
    primitive = getattr(getattr(simple, "primitive_type", None), "local_name", "string")
    if (low or high is not None) and primitive != "base64Binary":
        top = int(high) if high is not None else 10**9
        strategy = strategy.filter(lambda s: low <= len(s) <= top)
    _CACHE[id(simple)] = (simple, strategy)
    return strategy


def _simple_strategy(simple: Any) -> st.SearchStrategy[str]:
    enumeration = getattr(simple, "enumeration", None)
    if enumeration:
        return st.sampled_from([str(v) for v in enumeration])
    min_len = int(getattr(simple, "min_length", None) or 0)
    max_len = getattr(simple, "max_length", None)
    patterns = _patterns(simple)
    primitive = getattr(getattr(simple, "primitive_type", None), "local_name", "string")
    if primitive == "base64Binary":  # length facets count decoded bytes
        top = int(max_len) if max_len is not None else 64
        encoded = st.binary(min_size=min_len, max_size=max(min_len, top)).map(
            lambda b: base64.b64encode(b).decode()
        )
        if patterns:
            lexical = re.compile(_xsd_regex(patterns[0]))
            return encoded.filter(lambda s: lexical.fullmatch(s) is not None)
        return encoded
    if primitive == "decimal" and _facet(simple, "fractionDigits") != 0 and patterns:
        # Amounts: ranges and fraction digits drive generation; the pattern only filters.
        shape = re.compile(_xsd_regex(patterns[0]))
        return _decimal(simple).filter(lambda s: shape.fullmatch(s) is not None)
    if patterns:
        regex = re.compile(_xsd_regex(patterns[0]))
        top = max_len if max_len is not None else 10**6
        return st.from_regex(regex, fullmatch=True, alphabet=XML_CHARS).filter(
            lambda s: min_len <= len(s) <= top
        )
    if primitive == "decimal":
        if _is_integer(simple) or _facet(simple, "fractionDigits") == 0:
            low = _facet(simple, "minInclusive")
            high = _facet(simple, "maxInclusive")
            low = int(low) if low is not None else 0
            high = int(high) if high is not None else 2**31 - 1
            return st.one_of(st.sampled_from([low, high]), st.integers(low, high)).map(str)
        return _decimal(simple)
    if primitive == "boolean":
        return st.sampled_from(["true", "false", "1", "0"])
    if primitive == "date":
        return st.dates(date(2000, 1, 1), date(2099, 12, 31)).map(date.isoformat)
    if primitive == "dateTime":
        return st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)).map(
            lambda d: d.isoformat(timespec="seconds")
        )
    if primitive in ("float", "double"):
        return st.integers(-(10**6), 10**6).map(str)
    if primitive == "anyURI":
        return st.sampled_from(["https://ente.example/ritorno", "http://127.0.0.1/x?y=1"])
    return _text(min_len, max_len)


def _name(component: Any) -> tuple[str, str | None]:
    local = component.local_name
    qualified = bool(getattr(component, "qualified", False)) or component.is_global()
    return local, (component.target_namespace or None) if qualified else None


@st.composite
def _element(draw: st.DrawFn, component: Any, overrides: Overrides, depth: int) -> Any:
    local, namespace = _name(component)
    element = etree.Element(f"{{{namespace}}}{local}" if namespace else local)
    _fill(draw, element, component, overrides, depth)
    return element


def _fill(draw: st.DrawFn, element: Any, component: Any, overrides: Overrides, depth: int) -> None:
    xsd_type = component.type
    for name, attribute in getattr(xsd_type, "attributes", {}).items():
        if name and (attribute.use == "required" or draw(st.booleans())):
            element.set(attribute.local_name, draw(simple_strategy(attribute.type)))
    if component.local_name in overrides:
        # An override may draw None: "use the schema's own values this time".
        value = draw(overrides[component.local_name])
        if value is not None:
            element.text = value
            return
    if xsd_type.is_simple():
        element.text = draw(simple_strategy(xsd_type))
        return
    if xsd_type.has_simple_content():
        element.text = draw(simple_strategy(xsd_type.content))
        return
    if depth >= MAX_DEPTH or xsd_type.content is None:
        return
    _group(draw, element, xsd_type.content, overrides, depth)


def _group(draw: st.DrawFn, parent: Any, group: Any, overrides: Overrides, depth: int) -> None:
    particles = [p for p in group if hasattr(p, "min_occurs")]
    if group.model == "choice" and particles:
        particles = [draw(st.sampled_from(particles))]
    for particle in particles:
        low = particle.min_occurs
        high = particle.max_occurs if particle.max_occurs is not None else low + MAX_REPEAT
        high = min(max(high, low), low + MAX_REPEAT)
        for _ in range(draw(st.integers(low, high))):
            if hasattr(particle, "model"):  # a nested group
                _group(draw, parent, particle, overrides, depth + 1)
            elif hasattr(particle, "type"):
                parent.append(draw(_element(particle, overrides, depth + 1)))


def element_strategy(component: Any, overrides: Overrides | None = None) -> st.SearchStrategy[Any]:
    """Valid lxml elements for the XSD element ``component``."""
    return _element(component, overrides or {}, 0)
