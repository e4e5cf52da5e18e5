"""XML answers valid against a contract's schemas, from xmlschema's component model.

Elements are qualified as the schema says (``elementFormDefault``, ``form``); a sequence
yields its particles in order, a choice its first usable branch (never an error/fault
branch when another exists), optional elements are generated near the top (an answer worth
reading) and dropped deeper down. Each text value is: the data at hand for that element
(by local name, else by pagoPA kind) when the type accepts it, else a pagoPA-aware value,
else one from the type's facets; always checked with the type before use.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

from lxml import etree

from simulators.contractsim import pagopa, regexgen

XSD = "http://www.w3.org/2001/XMLSchema"
OPTIONAL_DEPTH = 4
MAX_DEPTH = 12
_AVOID = re.compile(r"fault|error|errore|exception", re.I)
_FUTURE = re.compile(r"scadenza|due|expir|fine|end", re.I)
_BASE_DATE = dt.datetime(2026, 1, 1, 9, 0, 0)
_PREFERRED = ("OK", "ESEGUITO", "PAGATO", "SUCCESS", "true")


def _hint(name: str, digits: pagopa.Digits) -> str | None:
    """A value a free-text field's name asks for (an outcome, a URL, an e-mail)."""
    lowered = name.lower()
    if lowered in ("esito", "outcome", "result", "risultato"):
        return "OK"
    if "url" in lowered or "uri" in lowered or "link" in lowered:
        return f"https://collaudo.example/{name}/{digits.take(6)}"
    if "email" in lowered or "mail" == lowered:
        return f"collaudo.{digits.take(4)}@example.it"
    return None


def _remember(data: dict[str, str], kind: str | None, value: str) -> None:
    """One answer tells one story: the first notice number, IUV, fiscal code or IBAN it
    carries is the one its other fields of that kind carry (an IUV and its notice number
    agree: aux digit 3)."""
    if kind is None or kind not in pagopa.CHECKS or not pagopa.CHECKS[kind](value):
        return
    data.setdefault(f"kind:{kind}", value)
    if kind == "notice_number" and value.startswith("3"):
        data.setdefault("kind:iuv", value[1:])
    elif kind == "iuv" and len(value) == 17:
        data.setdefault("kind:notice_number", "3" + value)


def _local(name: str | None) -> str:
    return (name or "").rsplit("}", 1)[-1]


class XmlGenerator:
    """Builds elements of one contract's schema (xmlschema)."""

    def __init__(self, schema: Any, prefixes: dict[str, str]) -> None:
        self.schema = schema
        self.prefixes = prefixes
        self._valid: dict[tuple[int, str], bool] = {}
        self._documents: dict[str, str] | None = None  # global elements by lower-case name
        self._depth = 0  # documents inside documents, bounded

    def element(self, qname: str, key: str, data: dict[str, str] | None = None) -> etree._Element:
        """The global element ``qname`` (``{ns}local``), generated."""
        component = self.schema.maps.elements.get(qname)
        if component is None:
            raise KeyError(f"element {qname} is not declared by the contract's schemas")
        namespace = qname[1:].split("}", 1)[0] if qname.startswith("{") else ""
        nsmap = {self.prefixes.get(namespace, "ns"): namespace} if namespace else None
        root = etree.Element(qname, nsmap=nsmap)
        self._fill(root, component, key, data or {}, 0)
        return root

    def typed(self, name: str, type_qname: str, key: str, data: dict[str, str]) -> etree._Element:
        """An unqualified element ``name`` of type ``type_qname`` (RPC parts)."""
        element = etree.Element(name)
        xsd_type = self.schema.maps.types.get(type_qname)
        if xsd_type is None:
            element.text = "collaudo"
            return element
        if xsd_type.is_simple():
            element.text = self.text(xsd_type, name, key, data)
        else:
            self._complex(element, xsd_type, key, data, 1)
        return element

    # --- structure ------------------------------------------------------------------------

    def _fill(
        self, node: etree._Element, component: Any, key: str, data: dict[str, str], depth: int
    ) -> None:
        xsd_type = component.type
        name = component.local_name or ""
        fixed = getattr(component, "fixed", None)
        if xsd_type.is_simple():
            node.text = fixed if fixed is not None else self.text(xsd_type, name, key, data)
            return
        self._complex(node, xsd_type, key, data, depth)

    def _complex(
        self, node: etree._Element, xsd_type: Any, key: str, data: dict[str, str], depth: int
    ) -> None:
        name = etree.QName(node).localname
        for attribute in xsd_type.attributes.values():
            if getattr(attribute, "use", "optional") == "required" and attribute.type is not None:
                attr_name = attribute.local_name or "attribute"
                node.set(attribute.name, self.text(attribute.type, attr_name, key, data))
        if xsd_type.has_simple_content():
            node.text = self.text(xsd_type.content, name, key, data)
            return
        content = xsd_type.content
        if content is None or not hasattr(content, "model"):
            return
        self._group(node, content, key, data, depth)

    def _group(
        self, node: etree._Element, group: Any, key: str, data: dict[str, str], depth: int
    ) -> None:
        particles = list(group)
        if group.model == "choice":
            usable = [
                p for p in particles if not _AVOID.search(getattr(p, "local_name", None) or "")
            ]
            particles = (usable or particles)[:1]
        for particle in particles:
            self._particle(node, particle, key, data, depth)

    def _particle(
        self, node: etree._Element, particle: Any, key: str, data: dict[str, str], depth: int
    ) -> None:
        minimum = particle.min_occurs or 0
        name = getattr(particle, "local_name", None) or ""
        if hasattr(particle, "model"):  # a nested group
            count = max(minimum, 1 if depth < OPTIONAL_DEPTH else 0)
            for _ in range(count):
                self._group(node, particle, key, data, depth)
            return
        if not hasattr(particle, "type"):  # xs:any
            return
        wanted = minimum > 0 or (depth < OPTIONAL_DEPTH and not _AVOID.search(name))
        if not wanted or depth > MAX_DEPTH and minimum == 0:
            return
        target = particle.ref if getattr(particle, "ref", None) is not None else particle
        if getattr(target, "abstract", False):
            substitutes = (
                list(target.iter_substitutes()) if hasattr(target, "iter_substitutes") else []
            )
            if not substitutes:
                return
            target = substitutes[0]
        tag = target.qualified_name if target.qualified else target.local_name
        for index in range(max(minimum, 1)):
            child = etree.SubElement(node, tag)
            self._fill(child, target, f"{key}/{name}{index}", data, depth + 1)

    # --- text -----------------------------------------------------------------------------

    def valid(self, xsd_type: Any, text: str) -> bool:
        cache_key = (id(xsd_type), text)
        found = self._valid.get(cache_key)
        if found is None:
            try:
                # Encoding checks a text against the type's facets without reading it as a
                # document (decoding would, and the sandbox refuses).
                errors = xsd_type.iter_encode(text, validation="lax")
                found = not any(isinstance(e, Exception) for e in errors)
            except Exception:  # noqa: BLE001 - xmlschema raises assorted errors on odd input
                found = False
            if len(self._valid) < 100_000:
                self._valid[cache_key] = found
        return found

    def _embedded(self, name: str, key: str, data: dict[str, str]) -> str | None:
        """A base64 field named after a global element of the schemas (MyPay's ``pagati``
        carries a ``Pagati`` document, ``dovuti`` a ``Dovuti``): that document, encoded."""
        if self._depth >= 2 or not name:
            return None
        if self._documents is None:
            self._documents = {}
            for qname, component in self.schema.maps.elements.items():
                if not component.type.is_simple():
                    self._documents.setdefault(_local(qname).lower(), qname)
        qname = self._documents.get(name.lower())
        if qname is None:
            return None
        self._depth += 1
        try:
            document = self.element(qname, f"{key}|{name}", data)
        finally:
            self._depth -= 1
        return base64.b64encode(
            etree.tostring(document, xml_declaration=True, encoding="UTF-8")
        ).decode()

    def text(self, xsd_type: Any, name: str, key: str, data: dict[str, str]) -> str:
        for candidate in self._candidates(xsd_type, name, key, data):
            if candidate is not None and self.valid(xsd_type, candidate):
                _remember(data, pagopa.kind_of(name), candidate)
                return candidate
        return ""

    def _candidates(
        self, xsd_type: Any, name: str, key: str, data: dict[str, str]
    ) -> list[str | None]:
        found: list[str | None] = []
        domain = pagopa.kind_of(name)
        if name in data:
            found.append(data[name])
        if self._primitive(xsd_type) == "base64Binary":
            embedded = self._embedded(name, key, data)
            if embedded is not None:
                found.append(embedded)
        if domain is not None and f"kind:{domain}" in data:
            found.append(data[f"kind:{domain}"])
        member = xsd_type
        if getattr(member, "member_types", None):  # a union: its first member decides
            member = member.member_types[0]
        if getattr(member, "item_type", None) is not None:  # a list: one item
            member = member.item_type
        enumeration = getattr(member, "enumeration", None)
        if enumeration:
            values = [str(v) for v in enumeration]
            return found + [v for v in values if v in _PREFERRED] + values
        digits = pagopa.Digits(f"{key}|{name}")
        if domain in pagopa.GENERATORS:
            found.extend(pagopa.candidates(domain, digits))
        primitive = self._primitive(member)
        patterns = getattr(member, "patterns", None)
        if patterns is not None:
            for compiled in patterns.patterns:
                found.extend(regexgen.samples(compiled.pattern))
        found.extend(self._by_primitive(primitive, member, name, domain, digits))
        return found

    @staticmethod
    def _primitive(xsd_type: Any) -> str:
        primitive = getattr(xsd_type, "primitive_type", None) or xsd_type
        return _local(getattr(primitive, "name", None) or "string")

    @staticmethod
    def _by_primitive(
        primitive: str, xsd_type: Any, name: str, domain: str | None, digits: pagopa.Digits
    ) -> list[str | None]:
        when = _BASE_DATE + dt.timedelta(
            days=digits.number(0, 300) + (365 if _FUTURE.search(name) else 0)
        )
        low = getattr(xsd_type, "min_value", None)
        high = getattr(xsd_type, "max_value", None)
        if (
            primitive == "decimal"
            or primitive in ("integer", "long", "int", "short", "byte")
            or "Integer" in primitive
        ):
            base = digits.number(1, 200)
            values: list[Any] = []
            if domain == "amount":
                values.append(f"{base}.00")
            values += [
                str(base),
                f"{base}.00",
                str(low) if low is not None else None,
                str(high) if high is not None else None,
                "1",
                "0",
            ]
            return values
        if primitive in ("float", "double"):
            return [f"{digits.number(1, 200)}.0", "1.0"]
        if primitive == "boolean":
            return ["true", "false"]
        if primitive == "dateTime":
            return [when.strftime("%Y-%m-%dT%H:%M:%S"), when.strftime("%Y-%m-%dT%H:%M:%S.000Z")]
        if primitive == "date":
            return [when.strftime("%Y-%m-%d")]
        if primitive == "time":
            return [when.strftime("%H:%M:%S")]
        if primitive == "gYear":
            return [when.strftime("%Y")]
        if primitive in ("base64Binary",):
            return [base64.b64encode(f"collaudo {name} {digits.take(6)}".encode()).decode()]
        if primitive == "hexBinary":
            return [digits.take(8)]
        if primitive == "anyURI":
            return [f"https://collaudo.example/{name or 'resource'}/{digits.take(6)}"]
        if primitive == "QName":
            return ["xsd:string"]
        minimum = getattr(xsd_type, "min_length", None) or 0
        maximum = getattr(xsd_type, "max_length", None)
        hinted = _hint(name, digits)
        text = (re.sub(r"[^A-Za-z0-9]", "", name) or "collaudo") + digits.take(4)
        if len(text) < minimum:
            text += "x" * (minimum - len(text))
        if maximum is not None and len(text) > maximum:
            text = text[:maximum]
        return [hinted, text, "x" * max(minimum, 1), "1" * max(minimum, 1)]
