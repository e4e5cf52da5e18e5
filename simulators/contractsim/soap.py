"""Serving a SOAP contract: dispatch by body element and SOAPAction, validate, remember,
answer; the WSDL and its schemas served back with addresses pointing here.

Operations that create something (by name: inserisci, crea, importa, invia, create, add,
...) store a record of the request's and the answer's leaf values; operations that read
(chiedi, get, leggi, verifica, ...) look up the latest record sharing a key value with the
request (a field named like an identifier, or holding a notice number, IUV, fiscal code)
and answer with its values. A request that breaks the schema gets a SOAP fault (the
operation's declared fault element as detail, when it declares one) and is listed.
"""

from __future__ import annotations

import hashlib
import re

from lxml import etree

from simulators.common.faults import FaultState
from simulators.common.safexml import MalformedXML, UnsafeXML, parse_xml
from simulators.contractsim import gate, pagopa
from simulators.contractsim.state import State
from simulators.contractsim.wire import Incoming, Outgoing
from simulators.contractsim.wsdl import SOAP11, SOAP12, WSDL, XSD, SoapContract, SoapOperation
from simulators.contractsim.xmlgen import XmlGenerator

ENVELOPE = {
    "1.1": "http://schemas.xmlsoap.org/soap/envelope/",
    "1.2": "http://www.w3.org/2003/05/soap-envelope",
}
MEDIA = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
MAX_BODY = 8 * 1024 * 1024
MAX_LEAF = 512  # longer texts (base64 documents) are not remembered
_KEY_NAME = re.compile(
    r"iuv|iud|(^|[a-z])id([A-Z]|$)|^id|identificativo|codice|numero|notice|nav|key|chiave|token",
    re.I,
)
_WRONG_NAMESPACE = "urn:collaudo:wrong-namespace"


class Fault(Exception):
    def __init__(
        self, code: str, reason: str, rule: str, status: int = 500, op: SoapOperation | None = None
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.rule = rule
        self.status = status
        self.op = op


def leaves(element: etree._Element) -> dict[str, str]:
    """Leaf texts by local name (the first of each), plus ``kind:<pagoPA kind>`` entries."""
    found: dict[str, str] = {}
    for node in element.iter():
        if not isinstance(node.tag, str) or len(node):
            continue
        text = (node.text or "").strip()
        if not text or len(text) > MAX_LEAF:
            continue
        name = etree.QName(node).localname
        found.setdefault(name, text)
        kind = pagopa.kind_of(name)
        if kind is not None:
            found.setdefault(f"kind:{kind}", text)
    notice, iuv = found.get("kind:notice_number"), found.get("kind:iuv")
    if notice and len(notice) == 18 and notice.startswith("3"):
        found.setdefault("kind:iuv", notice[1:])  # aux digit 3: the IUV is the rest
    elif iuv and len(iuv) == 17 and iuv.isdigit():
        found.setdefault("kind:notice_number", "3" + iuv)
    return found


def _is_key(name: str, value: str) -> bool:
    if name.startswith("kind:"):
        return name[5:] in pagopa.CHECKS
    return bool(_KEY_NAME.search(name)) and len(value) >= 3


class SoapEngine:
    def __init__(
        self, contract: SoapContract, state: State, faults: FaultState, public_url: str | None
    ) -> None:
        self.contract = contract
        self.state = state
        self.faults = faults
        self.public_url = public_url.rstrip("/") if public_url else None
        self.generator = XmlGenerator(contract.schema, contract.prefixes)
        self.envelope_ns = ENVELOPE[contract.soap_version]
        self.media = MEDIA[contract.soap_version]
        self._documents: dict[tuple[str, int], bytes] = {}

    # --- documents ------------------------------------------------------------------------

    async def document(self, request: Incoming) -> Outgoing:
        base = self.public_url or request.base_url
        endpoint = base + self.contract.base_path
        wanted = request.query_value("xsd") or request.query_value("wsdl")
        if wanted:
            if not wanted.isdigit() or int(wanted) >= len(self.contract.documents):
                text = f"no document {wanted!r}: the WSDL is at {endpoint}?wsdl\n"
                return Outgoing(404, text.encode(), "text/plain; charset=utf-8")
            index = int(wanted)
        elif "wsdl" in request.query_names():
            index = 0
        else:
            text = (
                f"{self.contract.title}: SOAP {self.contract.soap_version} endpoint, POST here; "
                f"the WSDL is at {endpoint}?wsdl\n"
            )
            return Outgoing(200, text.encode(), "text/plain; charset=utf-8")
        return Outgoing(200, self._served(endpoint, index), "text/xml; charset=utf-8")

    def _served(self, endpoint: str, index: int) -> bytes:
        cached = self._documents.get((endpoint, index))
        if cached is not None:
            return cached
        documents = self.contract.documents
        by_location = {d.location: d for d in documents}
        served = documents[index]
        root = etree.fromstring(etree.tostring(served.root))
        from simulators.contractsim.source import join

        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            if node.tag in (f"{{{SOAP11}}}address", f"{{{SOAP12}}}address"):
                node.set("location", endpoint)
            attribute = "location" if node.tag == f"{{{WSDL}}}import" else "schemaLocation"
            if node.tag in (
                f"{{{WSDL}}}import",
                f"{{{XSD}}}import",
                f"{{{XSD}}}include",
                f"{{{XSD}}}redefine",
            ):
                target = node.get(attribute)
                if target:
                    found = by_location.get(join(served.location, target))
                    if found is not None:
                        kind = "wsdl" if found.is_wsdl else "xsd"
                        node.set(attribute, f"{endpoint}?{kind}={found.index}")
        data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        self._documents[(endpoint, index)] = data
        return data

    # --- requests -------------------------------------------------------------------------

    async def handle(self, request: Incoming, path: str) -> Outgoing:
        data = request.body
        try:
            if len(data) > MAX_BODY:
                raise Fault("Client", f"request body exceeds {MAX_BODY} bytes", "size", 413)
            op, body_element, header = self._dispatch(data, request)
            self._validate(op, body_element, header)
        except Fault as fault:
            name = fault.op.name if fault.op else f"POST {path}"
            self.state.violation(name, fault.rule, fault.reason, fault.status)
            return self._fault_response(fault)
        if self.faults.any_active:
            kind = gate.operation_kind(op.name)
            struck = await gate.strike(self.faults, kind)
            if struck is not None:
                status = 403 if struck.name == "ip-not-allowed-403" else 500
                code = "Client" if status == 403 else "Server"
                return self._fault_response(
                    Fault(code, f"simulated fault {struck.name}", struck.name, status)
                )
        manual = self.state.take_answer(op.name)
        overrides: dict[str, str] = {}
        if manual is not None:
            if isinstance(manual.body, str):
                try:
                    element = parse_xml(manual.body.encode())
                except (MalformedXML, UnsafeXML) as exc:
                    return self._fault_response(
                        Fault("Server", f"the answer set by hand is not XML: {exc}", "manual")
                    )
                envelope = self._envelope(element)
                return Outgoing(manual.status, envelope, self.media, dict(manual.headers))
            if isinstance(manual.body, dict):
                overrides = {str(k): str(v) for k, v in manual.body.items()}
        out = self._answer(op, body_element, overrides)
        if self.faults.any_active:
            out = self._broken(out)
        return Outgoing(200, out, self.media)

    def _dispatch(
        self, data: bytes, request: Incoming
    ) -> tuple[SoapOperation, etree._Element, etree._Element | None]:
        try:
            root = parse_xml(data, max_bytes=MAX_BODY)
        except UnsafeXML as exc:
            raise Fault("Client", f"request refused: {exc}", "safe XML") from exc
        except MalformedXML as exc:
            raise Fault("Client", str(exc), "well-formed XML") from exc
        expected = self.envelope_ns
        if root.tag != f"{{{expected}}}Envelope":
            other = next((v for v, ns in ENVELOPE.items() if root.tag == f"{{{ns}}}Envelope"), None)
            if other is not None:
                raise Fault(
                    "VersionMismatch",
                    f"SOAP {other} envelope received; the contract binds "
                    f"SOAP {self.contract.soap_version} ({expected})",
                    "SOAP version",
                )
            raise Fault("Client", f"expected a SOAP Envelope, got {root.tag}", "SOAP envelope")
        body = root.find(f"{{{expected}}}Body")
        if body is None:
            raise Fault("Client", "SOAP Envelope without Body", "SOAP envelope")
        children = [c for c in body if isinstance(c.tag, str)]
        if len(children) != 1:
            raise Fault(
                "Client", f"the SOAP Body must hold one element, found {len(children)}", "SOAP body"
            )
        element = children[0]
        action = self._action(request)
        named = self.contract.by_action.get(action) if action else None
        # Operations sharing one body element are told apart by their SOAPAction.
        if named is not None and self._input_of(named) == element.tag:
            op: SoapOperation | None = named
        else:
            op = self.contract.by_element.get(element.tag)
        if op is None:
            by_action = self.contract.by_action.get(action) if action else None
            hint = (
                f" (SOAPAction {action!r} names {by_action.name}, "
                f"whose body element is {by_action.input_element})"
                if by_action
                else ""
            )
            raise Fault(
                "Client",
                f"body element {element.tag} is not the input of any operation of the "
                f"contract{hint}",
                "operation",
                op=by_action,
            )
        if action and op.soap_action and action != op.soap_action:
            raise Fault(
                "Client",
                f"SOAPAction {action!r} does not match the body element "
                f"{etree.QName(element).localname} (operation {op.name} declares "
                f"{op.soap_action!r})",
                "SOAPAction",
                op=op,
            )
        header = root.find(f"{{{expected}}}Header")
        return op, element, header

    @staticmethod
    def _input_of(op: SoapOperation) -> str:
        return op.input_element or f"{{{op.namespace}}}{op.name}"

    def _action(self, request: Incoming) -> str:
        if self.contract.soap_version == "1.1":
            return (request.headers.get("soapaction") or "").strip().strip('"')
        found = re.search(r'action="?([^";]+)', request.headers.get("content-type", ""))
        return found.group(1) if found else ""

    def _validate(
        self, op: SoapOperation, element: etree._Element, header: etree._Element | None
    ) -> None:
        validator = self.contract.validator
        parts = [element] if op.input_element else []
        for expected in op.input_headers:
            found = header.find(expected) if header is not None else None
            if found is None:
                raise Fault(
                    "Client", f"{op.name} needs the SOAP header {expected}", "SOAP header", op=op
                )
            parts.append(found)
        for part in parts:
            if not validator.validate(part):
                error = validator.error_log.last_error
                message = error.message if error else "invalid"
                raise Fault(
                    "Client",
                    f"{etree.QName(part).localname} does not conform to the contract: {message}",
                    f"XSD {etree.QName(part).localname}",
                    op=op,
                )

    # --- answers --------------------------------------------------------------------------

    def _answer(
        self, op: SoapOperation, element: etree._Element, overrides: dict[str, str]
    ) -> bytes:
        request_bytes = etree.tostring(element)
        key = hashlib.sha256(op.name.encode() + b"|" + request_bytes).hexdigest()[:24]
        creates = gate.is_create(op.name)
        if not creates and not overrides:
            cached = self.state.cached(key)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
        asked = leaves(element)
        with self.state.lock:
            record = None if creates else self._find(asked)
            data = {**asked, **(record or {}), **overrides}
            answer = self._generate(op, key, data)
            if creates:
                self.state.records.append({**asked, **leaves(answer), "_operation": op.name})
                self.state.changed()
            out = self._envelope(answer)
            if not creates and not overrides:
                self.state.remember(key, out)
        return out

    def _generate(self, op: SoapOperation, key: str, data: dict[str, str]) -> etree._Element:
        if op.output_element:
            return self.generator.element(op.output_element, key, data)
        wrapper = etree.Element(f"{{{op.namespace}}}{op.name}Response", nsmap={"tns": op.namespace})
        for name, type_qname in op.output_types:
            wrapper.append(self.generator.typed(name, type_qname, key, data))
        return wrapper

    def _find(self, asked: dict[str, str]) -> dict[str, str] | None:
        keys = {(n, v) for n, v in asked.items() if _is_key(n, v)}
        if not keys:
            return None
        for record in reversed(self.state.records):
            if any(record.get(name) == value for name, value in keys):
                return {str(k): str(v) for k, v in record.items()}
        return None

    def _envelope(self, element: etree._Element) -> bytes:
        env = etree.Element(f"{{{self.envelope_ns}}}Envelope", nsmap={"soap": self.envelope_ns})
        etree.SubElement(env, f"{{{self.envelope_ns}}}Body").append(element)
        data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
        return data

    def _fault_response(self, fault: Fault) -> Outgoing:
        ns = self.envelope_ns
        env = etree.Element(f"{{{ns}}}Envelope", nsmap={"soap": ns})
        body = etree.SubElement(env, f"{{{ns}}}Body")
        element = etree.SubElement(body, f"{{{ns}}}Fault")
        detail_parent: etree._Element
        if self.contract.soap_version == "1.1":
            etree.SubElement(element, "faultcode").text = f"soap:{fault.code}"
            etree.SubElement(element, "faultstring").text = fault.reason
            detail_parent = etree.Element("detail")
        else:
            code = etree.SubElement(element, f"{{{ns}}}Code")
            value = {"Client": "Sender", "Server": "Receiver"}.get(fault.code, fault.code)
            etree.SubElement(code, f"{{{ns}}}Value").text = f"soap:{value}"
            reason = etree.SubElement(element, f"{{{ns}}}Reason")
            text = etree.SubElement(reason, f"{{{ns}}}Text")
            text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
            text.text = fault.reason
            detail_parent = etree.Element(f"{{{ns}}}Detail")
        if fault.op is not None and fault.op.faults:
            # Common names of a fault bean's fields: whichever the element has gets filled.
            data = {"faultCode": fault.rule, "code": fault.rule}
            data.update(dict.fromkeys(("faultString", "description", "message"), fault.reason))
            detail_parent.append(
                self.generator.element(fault.op.faults[0], f"fault|{fault.reason}", data)
            )
            element.append(detail_parent)
        out: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
        return Outgoing(fault.status, out, self.media)

    def _broken(self, out: bytes) -> bytes:
        fault = gate.broken_answer(
            self.faults, ("malformed-xml", "wrong-namespace", "missing-element")
        )
        if fault is None:
            return out
        if fault.name == "malformed-xml":
            return out[: len(out) // 2]
        root = etree.fromstring(out)
        body = root.find(f"{{{self.envelope_ns}}}Body")
        answer = body[0] if body is not None and len(body) else None
        if answer is None:
            return out
        if fault.name == "wrong-namespace":
            answer.tag = f"{{{_WRONG_NAMESPACE}}}{etree.QName(answer).localname}"
        elif len(answer):
            answer.remove(answer[0])
        data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return data
