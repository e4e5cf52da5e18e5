"""Redaction of recorded HTTP messages, before anything reaches disk.

Credentials (passwords, subscription keys, tokens, cookies) become ``REDACTED``; personal
data (codici fiscali, names, addresses, e-mails, phones, IBANs) becomes a consistent
pseudonym (:mod:`.pseudonyms`). Bodies are walked structurally: SOAP/XML element by element
(base64-embedded XML documents such as MyPay's ``dovuto``/``pagati`` are decoded, redacted
and re-encoded), JSON key by key, forms and query strings pair by pair; other text is
scanned for codici fiscali, e-mails, IBANs and JWTs. PDFs and zips (notices, whose content
cannot be redacted reliably) are replaced by a placeholder PDF saying so.

Which field is what is decided once, in :mod:`.fields`, so replay matching ignores exactly
what was redacted here.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from lxml import etree
from mitmproxy import http

from collaudo.recorder.fields import (
    EMAIL,
    JWT,
    PERSONAL_FISCAL_CODE,
    Kind,
    classify,
    header_kind,
    ibans_in,
)
from collaudo.recorder.pseudonyms import SECRET_PLACEHOLDER, Pseudonyms
from collaudo.recorder.xmltools import (
    UnsafeXML,
    decode_base64,
    local_name,
    looks_like_xml,
    parse_xml,
    serialize,
)

Path = tuple[str, ...]
_IBAN_WHOLE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_CF_WHOLE = re.compile(r"^(?:[A-Za-z0-9]{16}|\d{11})$")
_EMAIL_LEAF = re.compile(r"mail")
_NAME_LEAF = re.compile(r"(anagrafica|fullname|^nome$|cognome|surname|givenname|familyname|^name$)")
_CF_LEAF = re.compile(
    r"(codiceidentificativounivoco|fiscalcode|codicefiscale|taxcode|uniqueidentifier)"
)


@cache
def placeholder_pdf() -> bytes:
    """A one-page PDF saying the document was redacted (identical every time)."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.drawString(72, 760, "collaudo: document redacted from the recording (personal data).")
    page.save()
    return out.getvalue()


def _placeholder_zip(data: bytes) -> bytes:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        names = ["document.pdf"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, placeholder_pdf())
    return out.getvalue()


def _binary_placeholder(data: bytes) -> bytes | None:
    """The placeholder for a PDF or zip, or None if ``data`` is neither."""
    if data.startswith(b"%PDF"):
        return placeholder_pdf()
    if data.startswith(b"PK\x03\x04"):
        return _placeholder_zip(data)
    return None


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


class Redactor:
    """Redacts messages in place; one instance per recording (one pseudonym space)."""

    def __init__(self, pseudonyms: Pseudonyms | None = None) -> None:
        self.pseudonyms = pseudonyms or Pseudonyms()
        self.changes = 0

    # -- values ---------------------------------------------------------------------------

    def free_text(self, text: str) -> str:
        """``text`` with every codice fiscale, e-mail, IBAN and JWT in it pseudonymised."""
        p = self.pseudonyms

        def swap(fn: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
            return lambda m: m.group(0) if p.is_pseudonym(m.group(0)) else fn(m.group(0))

        out = JWT.sub(swap(p.token), text)
        out = EMAIL.sub(swap(p.email), out)
        out = PERSONAL_FISCAL_CODE.sub(swap(p.fiscal_code), out)
        for iban in ibans_in(out):
            if not p.is_pseudonym(iban):
                out = out.replace(iban, p.iban(iban))
        if out != text:
            self.changes += 1
        return out

    def value(self, path: Path, value: str) -> str:
        """The redacted form of the field at ``path``."""
        if not value.strip():
            return value
        kind = classify(path, "")
        if kind is Kind.SECRET:
            self.changes += 1
            return SECRET_PLACEHOLDER
        if kind is not Kind.PERSONAL or self.pseudonyms.is_pseudonym(value):
            return self.free_text(value)
        self.changes += 1
        leaf = _norm(next((x for x in reversed(path) if not x.startswith("[")), ""))
        stripped = value.strip()
        p = self.pseudonyms
        if _EMAIL_LEAF.search(leaf) or EMAIL.fullmatch(stripped):
            return p.email(stripped)
        if _CF_LEAF.search(leaf) and _CF_WHOLE.match(stripped):
            return p.fiscal_code(stripped)
        if _NAME_LEAF.search(leaf):
            return p.name(stripped)
        if _IBAN_WHOLE.match(stripped) and ibans_in(stripped):
            return p.iban(stripped)
        return p.text(stripped)

    # -- structures -----------------------------------------------------------------------

    def xml_element(self, element: etree._Element, path: Path) -> None:
        name = local_name(element)
        if not name:
            return
        here = (*path, name)
        for attr, attr_value in list(element.attrib.items()):
            element.set(attr, self.value((*here, "@" + attr.rpartition("}")[2]), attr_value))
        children = [c for c in element if isinstance(c.tag, str)]
        if not children and element.text and element.text.strip():
            element.text = self._text_leaf(here, element.text)
        for child in children:
            self.xml_element(child, here)

    def _text_leaf(self, path: Path, text: str) -> str:
        data = decode_base64(text)
        if data is not None:
            if looks_like_xml(data):
                try:
                    inner = parse_xml(data)
                except UnsafeXML:
                    inner = None
                if inner is not None:
                    self.xml_element(inner, path)
                    declared = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")
                    self.changes += 1
                    return base64.b64encode(serialize(inner, declaration=declared)).decode()
            placeholder = _binary_placeholder(data)
            if placeholder is not None:
                self.changes += 1
                return base64.b64encode(placeholder).decode()
        return self.value(path, text)

    def json_value(self, value: Any, path: Path) -> Any:
        if isinstance(value, dict):
            return {k: self.json_value(v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json_value(v, (*path, f"[{i}]")) for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.value(path, value)
        return value

    # -- bodies and messages --------------------------------------------------------------

    def body(self, content: bytes, content_type: str) -> bytes:
        """The redacted body; unchanged bytes when there was nothing to redact."""
        if not content:
            return content
        ctype = content_type.lower()
        placeholder = _binary_placeholder(content)
        if placeholder is not None:
            self.changes += 1
            return placeholder
        if "xml" in ctype or looks_like_xml(content):
            try:
                root = parse_xml(content)
            except UnsafeXML:
                root = None
            if root is not None:
                before = self.changes
                self.xml_element(root, ())
                if self.changes == before:
                    return content
                declared = content.lstrip().startswith(b"<?xml")
                return serialize(root, declaration=declared)
        text = content.decode("utf-8", errors="replace")
        if "json" in ctype or text.lstrip().startswith(("{", "[")):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if parsed is not None:
                before = self.changes
                redacted = self.json_value(parsed, ())
                if self.changes == before:
                    return content
                return json.dumps(redacted, ensure_ascii=False).encode()
        if "x-www-form-urlencoded" in ctype:
            pairs = parse_qsl(text, keep_blank_values=True)
            return urlencode([(k, self.value((k,), v)) for k, v in pairs]).encode()
        if ctype.startswith(("text/", "application/")) or _is_text(content):
            return self.free_text(text).encode()
        self.changes += 1
        return f"[binary body redacted: {len(content)} bytes]".encode()

    def headers(self, headers: http.Headers) -> None:
        for name in list(headers.keys()):
            values = headers.get_all(name)
            if header_kind(name) is Kind.SECRET:
                headers.set_all(name, [SECRET_PLACEHOLDER] * len(values))
                self.changes += 1
            else:
                headers.set_all(name, [self.free_text(v) for v in values])

    def message(self, message: http.Message) -> None:
        """Headers and body of a request or response, in place (decoded first)."""
        message.decode(strict=False)
        self.headers(message.headers)
        content = message.raw_content or b""
        redacted = self.body(content, message.headers.get("content-type", ""))
        if redacted != content:
            message.content = redacted

    def request(self, request: http.Request) -> None:
        if request.query:
            request.query = [
                (k, self.value((f"?{k}",), v)) for k, v in request.query.items(multi=True)
            ]
        request.path = self.free_text(request.path)
        self.message(request)

    def flow(self, flow: http.HTTPFlow) -> None:
        """Redact a flow (a copy: the live one is still being proxied) in place."""
        self.request(flow.request)
        if flow.response is not None:
            self.message(flow.response)
        if flow.error is not None:
            flow.error.msg = self.free_text(flow.error.msg)


def _is_text(content: bytes) -> bool:
    try:
        content[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
