"""SOAP cases for the fuzzer: envelopes built from generated elements, mutations, the oracle.

A :class:`SoapCase` is what goes on the wire (body bytes + SOAPAction) plus how it was
made (``valid`` or a mutation name). :func:`mutations` turns a valid envelope into the
broken ones a real client or attacker sends: wrong namespace, missing or extra elements,
wrong SOAPAction, truncated XML, DTD / entity expansion, oversized bodies, SOAP 1.2, not
XML at all. :func:`judge` is the oracle every answer must pass.
"""

from __future__ import annotations

import copy
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st
from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WRONG_NS = "http://collaudo.invalid/wrong-namespace"
OVERSIZED_BYTES = 3 * 1024 * 1024  # above the simulators' 2 MB limit
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/')
# Mutations that make a message unusable: the answer must be a SOAP Fault, never a result.
MUST_FAULT = frozenset(
    {
        "truncated",
        "dtd-entities",
        "external-entity",
        "soap12",
        "not-xml",
        "wrong-namespace",
        "oversized",
        "empty-body",
    }
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class SoapCase:
    """One request: its bytes, SOAPAction, the operation it targets and how it was made."""

    operation: str
    kind: str  # "valid" or the mutation's name
    body: bytes
    soap_action: str | None

    def describe(self, limit: int = 6000) -> str:
        text = self.body.decode("utf-8", errors="replace")
        if len(text) > limit:
            text = text[:limit] + f"\n… ({len(self.body)} bytes in all)"
        return (
            f"operation {self.operation}, case {self.kind}, SOAPAction {self.soap_action!r}\n{text}"
        )

    def curl(self, url: str) -> str:
        """A curl command reproducing the request (body from a here-document)."""
        headers = ["-H 'Content-Type: text/xml; charset=utf-8'"]
        if self.soap_action is not None:
            headers.append(f"-H {shlex.quote('SOAPAction: ' + self.soap_action)}")
        if len(self.body) > 64 * 1024:
            return (
                f"python3 -c \"import sys; sys.stdout.write('…')\"  # body of "
                f"{len(self.body)} bytes: see the minimal case\n"
                f"curl -X POST {' '.join(headers)} --data-binary @body.xml {url}"
            )
        body = self.body.decode("utf-8", errors="replace")
        return f"curl -X POST {' '.join(headers)} --data-binary @- {url} <<'SOAP'\n{body}\nSOAP"


def envelope(body: etree._Element, header: etree._Element | None = None) -> bytes:
    """A SOAP 1.1 envelope, built structurally."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    if header is not None:
        etree.SubElement(env, f"{{{SOAP_ENV}}}Header").append(header)
    etree.SubElement(env, f"{{{SOAP_ENV}}}Body").append(body)
    data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return data


def _leaves(element: etree._Element) -> list[etree._Element]:
    return [
        e for e in element.iter() if isinstance(e.tag, str) and len(e) == 0 and e is not element
    ]


def _rename(element: etree._Element, namespace: str) -> None:
    element.tag = f"{{{namespace}}}{etree.QName(element).localname}"


Mutator = Callable[[st.DrawFn, etree._Element, etree._Element | None], bytes]


def _wrong_namespace(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    _rename(body, WRONG_NS)
    return envelope(body, head)


def _missing(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    children = [e for e in body.iter() if isinstance(e.tag, str) and e is not body]
    if children:
        victim = draw(st.sampled_from(children))
        parent = victim.getparent()
        if parent is not None:
            parent.remove(victim)
    return envelope(body, head)


def _extra(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    hosts = [e for e in body.iter() if isinstance(e.tag, str)]
    host = draw(st.sampled_from(hosts))
    extra = etree.Element(draw(st.sampled_from(["unexpected", "password", "idPA", "x"])))
    extra.text = draw(st.text(max_size=20).filter(lambda s: all(c.isprintable() for c in s)))
    host.insert(draw(st.integers(0, len(host))), extra)
    return envelope(body, head)


def _wrong_value(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    leaves = _leaves(body)
    if leaves:
        leaf = draw(st.sampled_from(leaves))
        leaf.text = draw(
            st.sampled_from(
                [
                    "",
                    "-1",
                    "1e309",
                    "NaN",
                    "99999999999999999999.999",
                    "<&>",
                    "x" * 10000,
                    "2024-13-45",
                    "ÿ\u202e",
                ]
            )
        )
    return envelope(body, head)


def _no_header(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    return envelope(body, None)


def _truncated(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    data = envelope(body, head)
    return data[: draw(st.integers(1, max(1, len(data) - 1)))]


def _dtd(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    data = envelope(body, head).split(b"?>", 1)[-1]
    return BILLION_LAUGHS + data.replace(b"<soapenv:Body>", b"<soapenv:Body>&lol3;", 1)


def _xxe(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    data = envelope(body, head).split(b"?>", 1)[-1]
    return XXE + data.replace(b"<soapenv:Body>", b"<soapenv:Body>&xxe;", 1)


def _oversized(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    filler = etree.SubElement(body, "padding")
    filler.text = "A" * OVERSIZED_BYTES
    return envelope(body, head)


def _soap12(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    env = etree.Element(f"{{{SOAP12_ENV}}}Envelope", nsmap={"env": SOAP12_ENV})
    etree.SubElement(env, f"{{{SOAP12_ENV}}}Body").append(body)
    data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return data


def _not_xml(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    return draw(st.sampled_from([b"", b"{}", b"\x00\xff\xfe", b"<a>", b"hello", b"<?xml?>"]))


def _empty_body(draw: st.DrawFn, body: etree._Element, head: etree._Element | None) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    data: bytes = etree.tostring(env)
    return data


MUTATIONS: dict[str, Mutator] = {
    "wrong-namespace": _wrong_namespace,
    "missing-element": _missing,
    "extra-element": _extra,
    "wrong-value": _wrong_value,
    "no-header": _no_header,
    "truncated": _truncated,
    "dtd-entities": _dtd,
    "external-entity": _xxe,
    "oversized": _oversized,
    "soap12": _soap12,
    "not-xml": _not_xml,
    "empty-body": _empty_body,
}


@st.composite
def soap_cases(
    draw: st.DrawFn,
    operation: str,
    body: st.SearchStrategy[etree._Element],
    header: st.SearchStrategy[etree._Element] | None,
    soap_action: str,
    mutate: bool,
) -> SoapCase:
    """Valid envelopes for ``operation`` or, with ``mutate``, broken ones."""
    element = draw(body)
    head = draw(header) if header is not None else None
    if not mutate:
        return SoapCase(operation, "valid", envelope(element, head), f'"{soap_action}"')
    kind = draw(st.sampled_from([*MUTATIONS, "wrong-soapaction"]))
    if kind == "wrong-soapaction":
        action = draw(st.sampled_from(['"paaSILChiediPagati"', '"nonExistent"', "", '"x y"']))
        if action.strip('"') == soap_action:
            action = '"nonExistent"'
        return SoapCase(operation, kind, envelope(element, head), action)
    data = MUTATIONS[kind](
        draw, copy.deepcopy(element), copy.deepcopy(head) if head is not None else None
    )
    return SoapCase(operation, kind, data, f'"{soap_action}"')


Validator = Callable[[etree._Element], str | None]


def judge(
    case: SoapCase,
    status: int,
    content_type: str,
    body: bytes,
    expected: str,
    validate: Validator,
) -> tuple[str, str] | None:
    """(check, message) when the answer breaks the contract, else None.

    The contract: a SOAP 1.1 envelope (text/xml) holding either the operation's response
    element, valid against the official schema (HTTP 200), or a Fault with faultcode and
    faultstring (HTTP 4xx/500); never a traceback; unusable messages always get a Fault.
    """
    text = body.decode("utf-8", errors="replace")
    for marker in TRACEBACK_MARKERS:
        if marker in text:
            return "no_traceback_on_the_wire", f"the answer carries a Python traceback ({marker!r})"
    if status >= 500 and status != 500:
        return "not_a_server_error", f"HTTP {status} instead of a result or a SOAP Fault"
    if "xml" not in content_type.lower():
        return "content_type", f"HTTP {status} with Content-Type {content_type!r}, not text/xml"
    try:
        root = etree.fromstring(body, _SAFE)
    except etree.XMLSyntaxError as exc:
        return "well_formed_answer", f"HTTP {status}: the answer is not well-formed XML ({exc})"
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        return "soap_envelope", f"HTTP {status}: root element {root.tag}, not a SOAP 1.1 Envelope"
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    children = [c for c in (soap_body if soap_body is not None else []) if isinstance(c.tag, str)]
    if len(children) != 1:
        return "soap_envelope", f"HTTP {status}: the Body holds {len(children)} elements, not 1"
    answer = children[0]
    if answer.tag == f"{{{SOAP_ENV}}}Fault":
        if not (answer.findtext("faultcode") or "").strip():
            return "soap_fault", "a SOAP Fault without faultcode"
        if not (answer.findtext("faultstring") or "").strip():
            return "soap_fault", "a SOAP Fault without faultstring"
        if status < 400:
            return "soap_fault", f"a SOAP Fault with HTTP {status} (SOAP 1.1 wants 500)"
        if case.kind == "valid" and "conform" in (answer.findtext("faultstring") or ""):
            return "valid_request_accepted", (
                "a schema-valid request was refused as invalid: "
                + (answer.findtext("faultstring") or "")
            )
        return None
    if case.kind in MUST_FAULT:
        return "broken_request_refused", (
            f"a {case.kind} request got a result (HTTP {status}, {answer.tag}) instead of a Fault"
        )
    if status != 200:
        return "status_code", f"HTTP {status} with a result element: results go with HTTP 200"
    if etree.QName(answer).localname != expected:
        return "response_element", f"answer element {answer.tag}, expected {expected}"
    problem = validate(answer)
    if problem is not None:
        return "response_schema_conformance", f"{expected} breaks the official schema: {problem}"
    return None
