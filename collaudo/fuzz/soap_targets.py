"""SOAP fuzzing (hypothesis): the MyPay simulator's ``/ws/pa`` (``pa-per-ente.wsdl``) and the
paForNode station side of the MyPay and GPD simulators (``paForNode.xsd``).

For every WSDL operation two properties run, each with ``budget`` examples: valid
requests generated from the official schema (edge values, optional elements absent,
domain values right and wrong), and mutated ones (:data:`collaudo.fuzz.soap.MUTATIONS`).
Every answer goes through :func:`collaudo.fuzz.soap.judge`, with the official schema as
the oracle; crashes (tracebacks kept by the guard) and hangs are findings too.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from collaudo.fuzz import domain, soap_schemas
from collaudo.fuzz.asgi import AsgiCaller, Hang, asgi_caller
from collaudo.fuzz.model import ApiReport, Finding, FuzzFailure
from collaudo.fuzz.properties import run_property
from collaudo.fuzz.soap import SoapCase, judge, soap_cases
from collaudo.fuzz.xsd import Overrides, element_strategy
from simulators.gpd import app as gpd_sim
from simulators.mypay import app as mypay_sim

MYPAY_URL = "http://127.0.0.1:8010/ws/pa"
MYPAY_PASSWORD = "sim-password"  # the simulator's documented demo password (DESIGN.md)
TIMEOUT = 5.0


def _document(root: str) -> st.SearchStrategy[str]:
    component = soap_schemas.mypay_documents().elements[root]
    return element_strategy(component, _document_overrides()).map(
        lambda e: base64.b64encode(
            etree.tostring(e, xml_declaration=True, encoding="UTF-8")
        ).decode()
    )


def _document_overrides() -> Overrides:
    return {
        "identificativoUnivocoVersamento": domain.either(domain.iuvs(), domain.iuvs(False)),
        "codiceIdentificativoUnivoco": domain.either(
            domain.fiscal_codes(), domain.fiscal_codes(False)
        ),
        "identificativoDominio": domain.either(
            domain.creditor_fiscal_codes(), domain.creditor_fiscal_codes(False)
        ),
        "ibanAccreditoBeneficiario": domain.either(domain.ibans(), domain.ibans(False)),
    }


def mypay_overrides() -> Overrides:
    """Values the simulator checks semantically: mostly right, so cases get past login."""
    return {
        **_document_overrides(),
        "password": st.one_of(st.just(MYPAY_PASSWORD), st.just(MYPAY_PASSWORD), st.none()),
        "codIpaEnte": st.one_of(st.just("c_bugliano"), st.just("c_bugliano"), st.none()),
        "dovuto": _document("Versamento"),
        "dovuti": _document("Dovuti"),
    }


def station_overrides() -> Overrides:
    return {
        "idPA": st.one_of(st.just(domain.DEMO_CREDITOR), domain.creditor_fiscal_codes(False)),
        "idBrokerPA": st.sampled_from([domain.DEMO_CREDITOR, domain.DEMO_CREDITOR, "99999999999"]),
        "idStation": st.sampled_from([f"{domain.DEMO_CREDITOR}_01"] * 2 + ["other_01"]),
        "fiscalCode": domain.either(st.just(domain.DEMO_CREDITOR), domain.fiscal_codes(False)),
        "noticeNumber": domain.either(domain.notice_numbers(), domain.notice_numbers(False)),
        "creditorReferenceId": domain.either(domain.iuvs(), domain.iuvs(False)),
        "IBAN": domain.either(domain.ibans(), domain.ibans(False)),
        "entityUniqueIdentifierValue": domain.either(
            domain.fiscal_codes(), domain.fiscal_codes(False)
        ),
    }


@dataclass(frozen=True)
class SoapEndpoint:
    """One SOAP endpoint to fuzz: an app factory, its path, its contract."""

    label: str
    make_app: Callable[[], Any]
    path: str
    live_url: str
    contract: Callable[[], soap_schemas.SoapContract]
    namespace: str
    overrides: Callable[[], Overrides]


SOAP_TARGETS: dict[str, tuple[str, list[SoapEndpoint]]] = {
    "mypay": (
        "MyPay simulator /ws/pa (official pa-per-ente.wsdl)",
        [
            SoapEndpoint(
                "mypay",
                lambda: mypay_sim.create_app(mypay_sim.Settings()),
                "/ws/pa",
                MYPAY_URL,
                soap_schemas.mypay,
                soap_schemas.PPT,
                mypay_overrides,
            ),
        ],
    ),
    "paForNode": (
        "paForNode station of the MyPay and GPD simulators (official paForNode.xsd)",
        [
            SoapEndpoint(
                "mypay",
                lambda: mypay_sim.create_app(mypay_sim.Settings()),
                "/pagopa/paForNode",
                "http://127.0.0.1:8010/pagopa/paForNode",
                soap_schemas.pa_for_node,
                soap_schemas.PAFORNODE,
                station_overrides,
            ),
            SoapEndpoint(
                "gpd",
                lambda: gpd_sim.create_app(gpd_sim.Settings()),
                "/pagopa/paForNode",
                "http://127.0.0.1:8020/pagopa/paForNode",
                soap_schemas.pa_for_node,
                soap_schemas.PAFORNODE,
                station_overrides,
            ),
        ],
    ),
}
SOAP_REQUIRES = {
    "mypay": ("mypay/pa-per-ente.wsdl", "mypay/PagInf_Dovuti_Pagati_6_2_0.xsd"),
    "paForNode": (
        "pagopa/wsdl/paForNode.wsdl",
        "pagopa/wsdl/xsd/paForNode.xsd",
        "mypay/pa-per-ente.wsdl",
    ),
}


def _checker(
    caller: AsgiCaller, endpoint: SoapEndpoint, operation: soap_schemas.SoapOperation
) -> Callable[[SoapCase], None]:
    contract = endpoint.contract()
    validate = contract.validator(endpoint.namespace, operation.response)

    def check(case: SoapCase) -> None:
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        if case.soap_action is not None:
            headers["SOAPAction"] = case.soap_action
        reproduction = case.curl(endpoint.live_url)
        try:
            answer = caller.post(endpoint.path, case.body, headers, TIMEOUT)
        except Hang as exc:
            raise FuzzFailure("no_hang", str(exc), case.describe(), reproduction) from exc
        crash = caller.guard.take()
        if crash is not None:
            raise FuzzFailure(
                "not_a_server_error",
                f"unhandled exception: {crash.summary}\n{crash.traceback}",
                case.describe(),
                reproduction,
            )
        problem = judge(
            case,
            answer.status_code,
            answer.headers.get("content-type", ""),
            answer.content,
            operation.response,
            validate,
        )
        if problem is not None:
            raise FuzzFailure(problem[0], problem[1], case.describe(), reproduction)

    return check


def _strategies(
    endpoint: SoapEndpoint, operation: soap_schemas.SoapOperation, mutate: bool
) -> st.SearchStrategy[SoapCase]:
    contract = endpoint.contract()
    overrides = endpoint.overrides()
    body = element_strategy(contract.element(endpoint.namespace, operation.request), overrides)
    header = None
    if operation.header:
        header = element_strategy(
            contract.element(soap_schemas.PPTHEAD, operation.header), overrides
        )
    return soap_cases(operation.name, body, header, operation.soap_action, mutate)


def run_soap(
    name: str,
    budget: int,
    *,
    seed: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> ApiReport:
    """Fuzz every operation of the SOAP target ``name`` (``mypay`` or ``paForNode``)."""
    title, endpoints = SOAP_TARGETS[name]
    report = ApiReport(name, title)
    started = time.monotonic()
    for endpoint in endpoints:
        with asgi_caller(endpoint.make_app()) as caller:
            for operation in endpoint.contract().operations:
                report.operations += 1
                check = _checker(caller, endpoint, operation)
                for mutate in (False, True):
                    cases, failure = run_property(
                        _strategies(endpoint, operation, mutate), check, budget, seed
                    )
                    report.cases += cases
                    if failure is not None:
                        label = f"{endpoint.label} {operation.name}"
                        report.add(
                            Finding(
                                name,
                                label,
                                failure.check,
                                failure.message,
                                failure.reproduction,
                                failure.case,
                            )
                        )
                progress(
                    f"{name}: {endpoint.label} {operation.name} done "
                    f"({report.cases} cases, {len(report.findings)} findings)"
                )
    report.seconds = time.monotonic() - started
    return report
