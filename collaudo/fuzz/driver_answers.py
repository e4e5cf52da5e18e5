"""The hostile answers the drivers are fed, and the cases that bundle them.

For MyPay, response envelopes generated from ``pa-per-ente.wsdl`` (valid, mutated by
:data:`collaudo.fuzz.soap.MUTATIONS`, or SOAP Faults) under assorted HTTP statuses; for GPD,
JSON positions and receipts with fields dropped, retyped or garbled, bodies that are not
JSON, and the statuses the specs list and some they do not.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from collaudo.fuzz import soap_schemas
from collaudo.fuzz.soap import MUTATIONS, SOAP_ENV, envelope
from collaudo.fuzz.xsd import element_strategy

VERBS = ("create_debt_position", "checkout_url", "notice_pdf", "status", "receipt")
MYPAY_OPERATIONS = (
    "paaSILImportaDovuto",
    "paaSILChiediPosizioniAperte",
    "paaSILChiediPagatiConRicevuta",
    "paaSILInviaDovuti",
    "paaSILVerificaAvviso",
)
STATUSES = st.sampled_from(
    [200, 200, 200, 201, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]
)


# -- MyPay: answers from the WSDL ------------------------------------------------------------


@st.composite
def mypay_answer(draw: st.DrawFn, operation: str) -> tuple[int, bytes, str]:
    """(status, body, content type) answering ``operation``: valid, mutated or a Fault."""
    contract = soap_schemas.mypay()
    kind = draw(st.sampled_from(["valid", "valid", "fault", *MUTATIONS]))
    status = 200
    if kind == "fault":
        env = etree.Element(f"{{{SOAP_ENV}}}Envelope")
        fault = etree.SubElement(
            etree.SubElement(env, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault"
        )
        etree.SubElement(fault, "faultcode").text = draw(
            st.sampled_from(["soap:Server", "soap:Client", ""])
        )
        etree.SubElement(fault, "faultstring").text = draw(
            st.sampled_from(
                ["PAA_SYSTEM_ERROR", "PAA_IUD_DUPLICATO: x", "PAA_ENTE_NON_VALIDO", "", "àè"]
            )
        )
        return draw(st.sampled_from([500, 200, 400])), etree.tostring(env), "text/xml"
    element = draw(element_strategy(contract.element(soap_schemas.PPT, f"{operation}Risposta")))
    if kind == "valid":
        body = envelope(element)
    else:
        body = MUTATIONS[kind](draw, copy.deepcopy(element), None)
        status = draw(STATUSES)
    content_type = draw(st.sampled_from(["text/xml; charset=utf-8", "text/xml", "text/html", ""]))
    return status, body, content_type


# -- GPD: JSON answers, mutated ---------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _position(status: str) -> dict[str, Any]:
    return {
        "iupd": "x",
        "type": "F",
        "fiscalCode": "RSSMRA80A01H501U",
        "fullName": "Mario Rossi",
        "companyName": "Comune di Bugliano",
        "status": status,
        "paymentDate": "2024-05-01T10:00:00",
        "paymentOption": [
            {
                "iuv": "01000000000000043",
                "nav": "301000000000000043",
                "amount": 2000,
                "status": "PO_PAID",
                "paymentDate": "2024-05-01T10:00:00",
                "dueDate": "2030-01-01T00:00:00",
                "isPartialPayment": False,
                "transfer": [
                    {
                        "idTransfer": "1",
                        "amount": 2000,
                        "iban": "IT60X0542811101000000123456",
                        "category": "9/0101108TS/",
                        "remittanceInformation": "x",
                    }
                ],
            }
        ],
    }


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a JSON document, depth first."""
    found: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        items: list[tuple[Any, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        items = []
    for key, value in items:
        found.append((node, key))
        found.extend(_slots(value))
    return found


@st.composite
def _mutated_json(draw: st.DrawFn) -> Any:
    document: Any = _position(
        draw(
            st.sampled_from(
                [
                    "VALID",
                    "PAID",
                    "PARTIALLY_PAID",
                    "EXPIRED",
                    "INVALID",
                    "DRAFT",
                    "PUBLISHED",
                    "REPORTED",
                    "?",
                ]
            )
        )
    )
    for _ in range(draw(st.integers(0, 4))):
        paths = _slots(document)
        if not paths:
            break
        parent, key = draw(st.sampled_from(paths))
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = draw(_JSON)
    return document


@st.composite
def gpd_answer(draw: st.DrawFn) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers): a mutated position, any JSON, not JSON, cut short or empty."""
    status = draw(STATUSES)
    shape = draw(
        st.sampled_from(["position", "position", "json", "not-json", "truncated", "empty"])
    )
    if shape == "position":
        body = json.dumps(draw(_mutated_json())).encode()
    elif shape == "json":
        body = json.dumps(draw(_JSON)).encode()
    elif shape == "truncated":
        full = json.dumps(_position("PAID")).encode()
        body = full[: draw(st.integers(1, len(full) - 1))]
    elif shape == "not-json":
        body = draw(st.sampled_from([b"<html>502 Bad Gateway</html>", b"\xff\xfe", b"null", b"[]"]))
    else:
        body = b""
    headers = {
        "content-type": draw(st.sampled_from(["application/json", "text/html", "text/plain"]))
    }
    if status == 302 or draw(st.booleans()):
        headers["location"] = draw(
            st.sampled_from(
                [
                    "https://checkout.pagopa.it/c/1",
                    "",
                    "/relative",
                    "javascript:alert(1)",
                    "http://[bad",
                ]
            )
        )
    return status, body, headers


# -- the case -------------------------------------------------------------------------------------


@st.composite
def driver_cases(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """One case for the ``kind`` driver: the verb, the amount and every answer it gets."""
    verb = draw(st.sampled_from(VERBS))
    amount = draw(st.sampled_from([Decimal("0.01"), Decimal("20.00"), Decimal("999999999.99")]))
    answers: dict[str, Any]
    if kind == "mypay":
        answers = {op: draw(mypay_answer(op)) for op in MYPAY_OPERATIONS}
    else:
        answers = {"*": draw(st.lists(gpd_answer(), min_size=1, max_size=3))}
    return {"verb": verb, "amount": amount, "answers": answers}


def describe_case(case: dict[str, Any]) -> str:
    """The case as readable JSON for a finding (long answers cut at 3000 characters)."""
    shown: dict[str, Any] = {"verb": case["verb"], "amount": str(case["amount"])}
    for key, value in case["answers"].items():
        shown[key] = repr(value)[:3000]
    return json.dumps(shown, indent=2, ensure_ascii=False)
