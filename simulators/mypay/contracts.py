"""The MyPay contract files as the simulator serves and checks them.

Found and loaded by :mod:`simulators.common.contracts`: the official files (never copied
into the repository) when present, else collaudo's own built-in description of the
operations this simulator implements (``simulators/common/builtin_contracts/mypay/``, same
file names). The WSDL served at ``/ws/pa?wsdl`` is that file with only its ``soap:address``
rewritten, the SOAP bodies are validated against the WSDL's own inline schemas (compiled
once with lxml, microseconds per message), and the base64 ``Dovuti`` / ``Versamento`` /
``Pagati`` documents against ``PagInf_Dovuti_Pagati_6_2_0.xsd`` (compiled once with lxml
for the verdict; with xmlschema too, for the path and reason a refusal names).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from lxml import etree

from simulators.common import contracts as official
from simulators.common.contracts import ContractsMissing as ContractsMissing
from simulators.common.contracts import contract_file as contract_file

WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
PPT = official.PPT
PPTHEAD = official.PPTHEAD
PAY_I = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"

WSDL_FILE = official.MYPAY_WSDL
DOCUMENTS_XSD = official.MYPAY_DOCUMENTS_XSD
# Files the WSDL imports by relative location; served beside it so a client can load it.
SERVABLE = {"PagInf_Dovuti_Pagati_6_2_0.xsd", "PagInf_RP_Esito_6_2_0.xsd", "bilancioDefault.xsd"}


@functools.lru_cache(maxsize=16)
def wsdl_for(endpoint_url: str) -> bytes:
    """The WSDL in use (official, else built-in) with its ``soap:address`` pointing at
    ``endpoint_url``."""
    root = copy.deepcopy(official.mypay_wsdl())
    for address in root.iter(f"{{{WSDL_SOAP}}}address"):
        address.set("location", endpoint_url)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def companion_xsd(name: str) -> bytes:
    """One of the schema files the WSDL imports by relative location, from beside the WSDL
    in use (so the official WSDL never meets the built-in XSD, nor the reverse)."""
    if name not in SERVABLE:
        raise FileNotFoundError(name)
    return (contract_file(WSDL_FILE).parent / name).read_bytes()


def body_schema() -> etree.XMLSchema:
    """The WSDL's inline schemas (``ppt`` and ``ppthead``) compiled with lxml, once."""
    return official.mypay_body_schema()


def documents_schema() -> Any:
    """``PagInf_Dovuti_Pagati_6_2_0.xsd`` compiled with xmlschema, once."""
    return official.xmlschema_schema(DOCUMENTS_XSD)


def documents_verdict_schema() -> etree.XMLSchema:
    """``PagInf_Dovuti_Pagati_6_2_0.xsd`` compiled with lxml, once: libxml2 validates a
    ``Versamento`` in microseconds where xmlschema, in Python, takes half a millisecond."""
    return official.lxml_schema(DOCUMENTS_XSD)


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether a MyPay contract (official, else built-in) is found (looked up once per
    process)."""
    return official.available(WSDL_FILE, DOCUMENTS_XSD)
