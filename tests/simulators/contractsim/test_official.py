"""`collaudo sim contract` on the official contracts: a zeep client built from the official
WSDL drives every operation with no fault and every answer valid against the official
schemas (compiled by the project's own loader, not the simulator's); schemathesis with the
official OpenAPI as oracle finds no conformance failure. Skipped (naming `collaudo contracts
fetch`) where the official files are absent."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
import zeep
from lxml import etree
from schemathesis.config import SchemathesisConfig
from schemathesis.config._cache import CacheConfig
from schemathesis.engine import events, from_schema
from starlette.testclient import TestClient

from simulators.common import contracts
from simulators.common.server import serving
from simulators.contractsim.app import Settings, create_app
from tests.simulators.contractsim.conftest import official

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]


class Answers(zeep.Plugin):  # type: ignore[misc]
    """Keeps every SOAP answer's body element, to validate it independently."""

    def __init__(self) -> None:
        self.bodies: list[etree._Element] = []

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> Any:
        body = envelope.find(f"{{{SOAP}}}Body")
        self.bodies.append(body[0])
        return envelope, http_headers


def drive_every_operation(
    relative: str, schema: Callable[[], etree.XMLSchema]
) -> list[etree._Element]:
    path = official(relative)
    app = create_app(Settings(contract=str(path)))
    sim = app.state.simulator
    generator = sim.engine.generator  # only to fill the requests; the oracle is below
    answers = Answers()
    with serving(app) as server:
        settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
        client = zeep.Client(
            f"{server.url}{sim.contract.base_path}?wsdl", settings=settings, plugins=[answers]
        )
        binding = client.service._binding
        assert {op.name for op in sim.contract.operations} == set(binding._operations)
        failures = []
        for op in sim.contract.operations:
            operation = binding._operations[op.name]
            request = generator.element(op.input_element, f"zeep-{op.name}", {})
            parsed = operation.input.body.type.parse_xmlelement(request, client.wsdl.types)
            headers = [generator.element(h, "header", {}) for h in op.input_headers] or None
            try:
                getattr(client.service, op.name)(
                    **{k: parsed[k] for k in parsed}, _soapheaders=headers
                )
            except Exception as exc:  # noqa: BLE001 - every failure is collected and shown
                failures.append(f"{op.name}: {type(exc).__name__}: {exc}")
        assert failures == []
        assert len(answers.bodies) == len(sim.contract.operations)
    oracle = schema()
    invalid = [
        f"{etree.QName(body).localname}: {oracle.error_log.last_error}"
        for body in answers.bodies
        if not oracle.validate(body)
    ]
    assert invalid == []
    return answers.bodies


def test_zeep_drives_every_mypay_operation() -> None:
    bodies = drive_every_operation(contracts.MYPAY_WSDL, contracts.mypay_body_schema)
    # The base64 documents inside are real ones: a SIL decoding `pagati` gets a Pagati.
    pagati = next(b for b in bodies if etree.QName(b).localname == "paaSILChiediPagatiRisposta")
    document = etree.fromstring(base64.b64decode(pagati.findtext("pagati") or ""))
    documents = contracts.lxml_schema(contracts.MYPAY_DOCUMENTS_XSD)
    assert etree.QName(document).localname == "Pagati"
    assert documents.validate(document), documents.error_log.last_error


def test_zeep_drives_every_pafornode_operation() -> None:
    drive_every_operation(
        contracts.PAFORNODE_WSDL, lambda: contracts.lxml_schema(contracts.PAFORNODE_XSD)
    )


def test_the_mypay_defect_is_reported() -> None:
    app = create_app(Settings(contract=str(official(contracts.MYPAY_WSDL))))
    workarounds = app.state.simulator.status()["workarounds"]
    assert [w["problem"].split(" (")[0] for w in workarounds] == ["uses ppthead:stText35"]


def schemathesis_failures(relative: str, budget: int = 15) -> tuple[int, list[str]]:
    app = create_app(Settings(contract=str(official(relative))))
    base = app.state.simulator.contract.base_path
    config = SchemathesisConfig(seed=7, cache=CacheConfig(enabled=False))
    # The oracle: the official document (its invalid \h pattern patched as the project does).
    schema = schemathesis.openapi.from_dict(contracts.openapi_document(relative), config=config)
    schema.app = app
    schema.config.update(
        base_url="http://testserver" + base,
        headers={"Ocp-Apim-Subscription-Key": "any-key"},  # gpd.json declares the ApiKey
        request_timeout=10,
        workers=1,
        continue_on_failure=True,
    )
    schema.config.generation.update(max_examples=budget, database="none")
    schema.config.checks.update(included_check_names=CHECKS)
    cases, failures = 0, []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        info = check.failure_info
                        failures.append(f"{check.name}: {info.failure.title}\n{info.code_sample}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"engine error: {event}")
    return cases, failures


@pytest.mark.parametrize("relative", [contracts.GPD_JSON, "pagopa/openapi/checkout_v1.json"])
def test_schemathesis_finds_no_conformance_failure(relative: str) -> None:
    cases, failures = schemathesis_failures(relative)
    assert cases > 50
    assert failures == []


def test_declared_credentials_are_required() -> None:
    client = TestClient(create_app(Settings(contract=str(official(contracts.GPD_JSON)))))
    path = "/gpd/debt-positions-service/v1/organizations/80000000002/debtpositions/X-1"
    refused = client.get(path)
    assert refused.status_code == 401  # gpd.json declares the ApiKey and the 401
    assert client.get(path, headers={"Ocp-Apim-Subscription-Key": "k"}).status_code == 404
    violation = client.get("/_admin/violations").json()[0]
    assert violation["rule"] == "security"
    assert "header Ocp-Apim-Subscription-Key" in violation["detail"]


def test_the_gpd_defect_is_reported() -> None:
    app = create_app(Settings(contract=str(official(contracts.GPD_JSON))))
    workarounds = app.state.simulator.status()["workarounds"]
    assert len(workarounds) == 1 and "\\h" in workarounds[0]["problem"]
