"""zeep, set up carefully: hardened parsing, one WSDL load per URL, errors translated once.

The WSDL is loaded lazily (in a worker thread: zeep loads documents synchronously), at most
once per driver instance and WSDL URL; a load that fails is not cached, so the next call
tries again. Every request, WSDL and XSD loads included, goes through
:class:`adapters.drivers._http.RecordingTransport`, which is how errors carry exchanges.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import zeep
import zeep.exceptions
from lxml import etree
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport

from adapters.core.intermediary import (
    AccessDenied,
    IntermediaryError,
    IntermediaryFault,
    RequestRejected,
)
from adapters.drivers._http import (
    CallRecord,
    RecordingTransport,
    allowlist_diagnosis,
    body_detail,
    recording,
    transport_error,
)
from adapters.drivers._xml import local, parse_xml

SETTINGS = zeep.Settings(
    strict=True,
    forbid_dtd=True,
    forbid_entities=True,
    forbid_external=True,
    xml_huge_tree=False,
)
WSDL_TIMEOUT = 15.0
MAX_DOCUMENTS = 20
_PAA_CODE = re.compile(r"\bPAA_[A-Z_]+\b")


SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


class AnswerMismatch(ValueError):
    """The SOAP answer is not the element the WSDL promises (e.g. a wrong namespace)."""


class ContractCheck(zeep.Plugin):
    """zeep matches answer elements leniently; a contract test must not: the body's element
    must be exactly the operation's output element, namespace included (or a SOAP Fault)."""

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
        if not children:
            raise AnswerMismatch("the SOAP answer has an empty or no Body")
        tag = etree.QName(children[0])
        if tag.namespace == SOAP_ENV and tag.localname == "Fault":
            return envelope, http_headers
        expected = getattr(getattr(operation.output, "body", None), "qname", None)
        if expected is not None and tag.text != expected.text:
            raise AnswerMismatch(f"expected the element {expected.text}, got {tag.text}")
        return envelope, http_headers


@dataclass
class SoapService:
    """A loaded WSDL and the service proxy bound to the endpoint in use."""

    client: zeep.AsyncClient
    service: Any
    endpoint: str

    async def aclose(self) -> None:
        transport = self.client.transport
        if isinstance(transport, AsyncTransport):
            await transport.aclose()  # type: ignore[no-untyped-call]
            transport.wsdl_client.close()


def _strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _endpoint(client: zeep.AsyncClient, wsdl_url: str, override: str | None) -> tuple[Any, str]:
    """The binding to use and its endpoint: the configured override, else the WSDL's
    absolute ``soap:address``, else (a relative address, as MyPay's ``/ws/pa/``) the WSDL
    URL without its ``?wsdl`` query, the usual convention."""
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            address = str(port.binding_options.get("address") or "")
            if override:
                return port.binding, override
            if urlsplit(address).scheme in ("http", "https"):
                return port.binding, address
            if urlsplit(wsdl_url).scheme in ("http", "https"):
                return port.binding, _strip_query(wsdl_url)
            raise RequestRejected(
                f"the WSDL at {wsdl_url} gives the relative endpoint {address!r}: configure the "
                "SOAP endpoint URL explicitly",
                code="CONFIGURATION",
            )
    raise RequestRejected(f"the WSDL at {wsdl_url} declares no service", code="CONFIGURATION")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def mirror_wsdl(wsdl_url: str, http: httpx.Client, directory: Path) -> Path:
    """Copy a remote WSDL and the schemas it imports into ``directory``, imports rewritten to
    the local copies; return the local WSDL.

    zeep's ``forbid_external`` refuses every remote import; fetching them here instead keeps
    that guarantee where it matters: only documents from the WSDL's own origin (scheme, host,
    port) are followed, each parsed with DTDs and entities forbidden, at most
    ``MAX_DOCUMENTS`` of them.
    """
    origin = _origin(wsdl_url)
    names: dict[str, str] = {}
    pending = [wsdl_url]
    documents: dict[str, etree._Element] = {}
    while pending:
        url = pending.pop()
        if url in documents:
            continue
        if len(documents) >= MAX_DOCUMENTS:
            raise ValueError(f"the WSDL at {wsdl_url} imports more than {MAX_DOCUMENTS} documents")
        response = http.get(url)
        if response.status_code != 200:
            raise zeep.exceptions.TransportError(  # type: ignore[no-untyped-call]
                status_code=response.status_code
            )
        root = parse_xml(response.content, what=url)
        documents[url] = root
        names[url] = f"{len(names)}-{re.sub(r'[^A-Za-z0-9_.-]', '_', urlsplit(url).path)[-60:]}"
        for node in root.iter():
            attribute = "schemaLocation" if "schemaLocation" in node.attrib else "location"
            if local(node.tag) not in ("import", "include") or attribute not in node.attrib:
                continue
            target = urljoin(url, node.attrib[attribute])
            if _origin(target) != origin:
                raise zeep.exceptions.ExternalReferenceForbidden(target)  # type: ignore[no-untyped-call]
            node.attrib[attribute] = f"@@{target}@@"
            pending.append(target)
    for url, root in documents.items():
        for node in root.iter():
            for attribute in ("schemaLocation", "location"):
                value = node.attrib.get(attribute, "")
                if value.startswith("@@") and value.endswith("@@"):
                    node.attrib[attribute] = names[value[2:-2]]
        (directory / names[url]).write_bytes(etree.tostring(root, xml_declaration=True))
    return directory / names[wsdl_url]


def load_service(
    wsdl_url: str,
    endpoint: str | None,
    *,
    transport: httpx.AsyncBaseTransport,
    wsdl_transport: httpx.BaseTransport,
) -> SoapService:
    """Load the WSDL (blocking) and bind the service; run it in a worker thread."""
    wsdl_client = httpx.Client(transport=wsdl_transport, follow_redirects=False)
    zeep_transport = AsyncTransport(  # type: ignore[no-untyped-call]
        client=httpx.AsyncClient(transport=transport, follow_redirects=False),
        wsdl_client=wsdl_client,
    )
    with tempfile.TemporaryDirectory(prefix="collaudo-wsdl-") as directory:
        location = wsdl_url
        if urlsplit(wsdl_url).scheme in ("http", "https"):
            location = str(mirror_wsdl(wsdl_url, wsdl_client, Path(directory)))
        client = zeep.AsyncClient(  # type: ignore[no-untyped-call]
            location, transport=zeep_transport, settings=SETTINGS, plugins=[ContractCheck()]
        )
    binding, address = _endpoint(client, wsdl_url, endpoint)
    # AsyncClient.create_service returns a *sync* proxy; build the async one directly.
    service = AsyncServiceProxy(client, binding, address=address)  # type: ignore[no-untyped-call]
    return SoapService(client, service, address)


def wsdl_error(
    exc: BaseException, record: CallRecord, wsdl_url: str, *, label: str = "the MyPay WSDL"
) -> IntermediaryError:
    """A failure loading the WSDL (``label``: which one, for the message), with what to check."""
    what = f"loading {label} from {wsdl_url}"
    if isinstance(exc, httpx.HTTPError):
        return transport_error(exc, record, what, wsdl_url)
    if isinstance(exc, zeep.exceptions.TransportError):
        return http_status_error(exc.status_code, record, what, wsdl_url)
    if isinstance(exc, zeep.exceptions.ExternalReferenceForbidden):
        return RequestRejected(
            f"{what}: it imports {exc.url}, from another origin; refused (external "
            "references are forbidden): serve the schemas beside the WSDL",
            exchanges=record.exchanges,
            code="BAD_WSDL",
        )
    if isinstance(exc, FileNotFoundError | IsADirectoryError):
        return RequestRejected(
            f"{what}: no such file; check the configured WSDL URL",
            exchanges=record.exchanges,
            code="CONFIGURATION",
        )
    return IntermediaryFault(
        f"{what}: the WSDL is unreadable ({type(exc).__name__}: {exc})",
        exchanges=record.exchanges,
        code="BAD_WSDL",
    )


def http_status_error(
    status: int, record: CallRecord, what: str, url: str, *, credential: str = "the credentials"
) -> IntermediaryError:
    code = f"HTTP {status}"
    if status < 300:  # zeep's way to say "HTTP 200, but not XML"
        return IntermediaryFault(
            f"{what}: the answer is not well-formed XML; it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    if status == 401:
        return AccessDenied(
            f"{what}: credentials refused (HTTP 401); check {credential}",
            exchanges=record.exchanges,
            code=code,
        )
    if status == 403:
        answer = record.exchanges[-1].response if record.exchanges else None
        detail = body_detail(answer)
        return AccessDenied(
            f"{what}: access forbidden (HTTP 403{': ' + detail if detail else ''})",
            exchanges=record.exchanges,
            diagnosis=allowlist_diagnosis(url, forbidden=True),
            code=code,
        )
    if status == 429 or status >= 500:
        return IntermediaryFault(
            f"{what}: the intermediary failed (HTTP {status}); it will be retried",
            exchanges=record.exchanges,
            code=code,
        )
    return RequestRejected(
        f"{what}: HTTP {status}; check the configured URL", exchanges=record.exchanges, code=code
    )


def soap_fault_code(fault: zeep.exceptions.Fault) -> str | None:
    """The ``PAA_*`` code inside a SOAP fault (faultcode, faultstring or detail), if any."""
    texts = [str(fault.code or ""), str(fault.message or "")]
    detail = fault.detail
    if isinstance(detail, bytes):  # zeep's "Unknown fault": the raw answer body
        texts.append(detail.decode("utf-8", "replace"))
    elif isinstance(detail, str):
        texts.append(detail)
    elif detail is not None:
        texts.append(etree.tostring(detail, encoding="unicode"))
    for text in texts:
        match = _PAA_CODE.search(text)
        if match:
            return match.group(0)
    return None


def is_client_fault(fault: zeep.exceptions.Fault) -> bool:
    return "client" in str(fault.code or "").lower()


async def load_once(
    lock: asyncio.Lock,
    cache: dict[tuple[str, str | None], SoapService],
    key: tuple[str, str | None],
    *,
    transport: httpx.AsyncBaseTransport,
    wsdl_transport: httpx.BaseTransport,
) -> SoapService:
    async with lock:
        loaded = cache.get(key)
        if loaded is None:
            loaded = await asyncio.to_thread(
                load_service,
                key[0],
                key[1],
                transport=transport,
                wsdl_transport=wsdl_transport,
            )
            cache[key] = loaded
        return loaded


class WsdlServices:
    """A SOAP driver's transports (each recording its exchanges) and the WSDLs loaded
    through them, one per WSDL URL and endpoint, shared by every call."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        wsdl_transport: httpx.BaseTransport | None = None,
    ) -> None:
        # One recording wrapper per direction; the inner transports are real unless given.
        self._transport = RecordingTransport(transport)
        self._wsdl_transport = RecordingTransport(
            wsdl_transport
            if wsdl_transport is not None
            else (transport if isinstance(transport, httpx.BaseTransport) else None)
        )
        self._http = httpx.AsyncClient(transport=self._transport, follow_redirects=True)
        self._services: dict[tuple[str, str | None], SoapService] = {}
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        for service in self._services.values():
            await service.aclose()
        await self._http.aclose()

    async def load(self, wsdl: str, endpoint: str | None, *, label: str) -> SoapService:
        """The SOAP service of ``wsdl`` (at ``endpoint`` when given), loaded on first use;
        a failure is the driver error saying what to check (``label`` names the WSDL)."""
        key = (wsdl, endpoint)
        if key in self._services:
            return self._services[key]
        with recording("wsdl", timeout=WSDL_TIMEOUT) as record:
            try:
                return await load_once(
                    self._lock,
                    self._services,
                    key,
                    transport=self._transport,
                    wsdl_transport=self._wsdl_transport,
                )
            except IntermediaryError:
                raise
            except Exception as exc:
                raise wsdl_error(exc, record, wsdl, label=label) from exc
