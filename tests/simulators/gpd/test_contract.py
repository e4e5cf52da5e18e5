"""Every answer of the GPD simulator conforms to the official gpd.json / gpd_payments.json.

Only the response schemas are used: ``gpd.json`` declares the path-parameter pattern
``[\\w*\\h-]+`` (``\\h`` is not ECMA-262), which makes strict OpenAPI validators reject
the whole document, so the documents are read as plain JSON and each response is checked
against the schema the spec declares for that operation, status and media type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from typing import Any

import httpx
import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4
from starlette.testclient import TestClient

from simulators.common.contracts import find_official
from tests.contracts_env import skip_unless_official
from tests.simulators.gpd.conftest import IBAN, KEY, ORG, POSITIONS, RECEIPTS, position_body

pytestmark = pytest.mark.contracts
SPECS = {
    "/gpd/debt-positions-service/v1": "pagopa/openapi/gpd.json",
    "/gpd/payments-receipts-service/v1": "pagopa/openapi/gpd_payments.json",
}
FORMATS = FormatChecker()


def _rfc3339(value: object) -> bool:
    # RFC 3339 (OpenAPI's date-time) requires an offset; fromisoformat checks the rest.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


FORMATS.checks("date-time", raises=ValueError)(_rfc3339)


@cache
def spec(relative: str) -> dict[str, Any]:
    skip_unless_official(relative)
    path = find_official(relative)
    assert path is not None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Conformance:
    """Checks one response against the spec's declaration for (template, method, status)."""

    def __init__(self) -> None:
        self.checked: set[tuple[str, str, int]] = set()

    def __call__(self, template: str, method: str, response: httpx.Response) -> None:
        prefix = next(p for p in SPECS if template.startswith(p))
        document = spec(SPECS[prefix])
        path = template.removeprefix(prefix)
        operation = document["paths"][path][method.lower()]
        status = str(response.status_code)
        assert status in operation["responses"], (
            f"{method} {path} answered {status}, not declared "
            f"(declared: {sorted(operation['responses'])})"
        )
        declared = operation["responses"][status]
        self.checked.add((template, method, response.status_code))
        content = declared.get("content")
        if not content:
            return
        media = response.headers["content-type"].split(";")[0]
        assert media in content, f"{method} {path} {status}: {media} not in {sorted(content)}"
        schema = content[media].get("schema")
        if schema is None:
            return
        body = response.text if media == "application/xml" else response.json()
        uri = f"urn:{SPECS[prefix]}"
        registry: Registry[Any] = Registry().with_resource(uri, DRAFT4.create_resource(document))
        pointer = _pointer(
            "paths", path, method.lower(), "responses", status, "content", media, "schema"
        )
        validator = Draft4Validator(
            {"$ref": f"{uri}#/{pointer}"}, registry=registry, format_checker=FORMATS
        )
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(body)
        ]
        assert not errors, f"{method} {path} {status} breaks the spec: {errors}"


@pytest.fixture
def conforms() -> Iterator[Conformance]:
    spec(SPECS["/gpd/debt-positions-service/v1"])  # skip early when the contracts are absent
    yield Conformance()


BASE = "/gpd/debt-positions-service/v1/organizations/{organizationfiscalcode}/debtpositions"
ONE = BASE + "/{iupd}"
LIST_RECEIPTS = "/gpd/payments-receipts-service/v1/payments/{organizationfiscalcode}/receipts"
ONE_RECEIPT = LIST_RECEIPTS + "/{iuv}"
IBANS = BASE + "/transfers"
NEW_IBAN = "IT02A0301503200000003517230"


def test_every_operation_answers_as_the_spec_declares(
    client: TestClient, conforms: Conformance, pay: Callable[..., list[bytes]]
) -> None:
    iupd = f"{ORG}-contract"
    body = position_body(iupd, stamp=True)
    conforms(BASE, "POST", client.post(POSITIONS, json=body, headers=KEY))
    conforms(BASE, "POST", client.post(POSITIONS, json=body, headers=KEY))  # 409
    conforms(BASE, "POST", client.post(POSITIONS, json={"iupd": "x"}, headers=KEY))  # 400
    conforms(BASE, "POST", client.post(POSITIONS, json=body))  # 401
    conforms(BASE, "GET", client.get(POSITIONS, headers=KEY))
    conforms(BASE, "GET", client.get(POSITIONS, params={"limit": 99}, headers=KEY))  # 400
    conforms(ONE, "GET", client.get(f"{POSITIONS}/{iupd}", headers=KEY))
    conforms(ONE, "GET", client.get(f"{POSITIONS}/missing", headers=KEY))  # 404
    conforms(
        ONE,
        "PUT",
        client.put(f"{POSITIONS}/{iupd}", json=position_body(iupd, stamp=True), headers=KEY),
    )
    conforms(
        ONE, "PUT", client.put(f"{POSITIONS}/missing", json=position_body("missing"), headers=KEY)
    )
    conforms(ONE, "PUT", client.put(f"{POSITIONS}/{iupd}", json={"iupd": iupd}, headers=KEY))  # 400
    conforms(
        ONE + "/invalidate", "POST", client.post(f"{POSITIONS}/{iupd}/invalidate", headers=KEY)
    )  # 409
    published = client.post(f"{POSITIONS}/{iupd}/publish", headers=KEY)
    conforms(ONE + "/publish", "POST", published)
    conforms(
        ONE + "/publish", "POST", client.post(f"{POSITIONS}/{iupd}/publish", headers=KEY)
    )  # 409
    conforms(ONE + "/publish", "POST", client.post(f"{POSITIONS}/missing/publish", headers=KEY))
    moved = client.patch(
        f"{POSITIONS}/transfers", params={"oldIban": IBAN}, json={"newIban": NEW_IBAN}, headers=KEY
    )
    assert moved.json()["updatedTransfers"] == 1
    conforms(IBANS, "PATCH", moved)
    conforms(
        IBANS,
        "PATCH",
        client.patch(f"{POSITIONS}/transfers", json={"newIban": NEW_IBAN}, headers=KEY),
    )  # 400: no oldIban
    conforms(
        IBANS,
        "PATCH",
        client.patch(
            f"{POSITIONS}/transfers".replace(ORG, "12345678901"),
            params={"oldIban": IBAN},
            json={"newIban": NEW_IBAN},
            headers=KEY,
        ),
    )  # 403

    conforms(LIST_RECEIPTS, "GET", client.get(RECEIPTS, headers=KEY))  # 404: nothing paid
    paid = published.json()
    pay(paid)
    iuv = paid["paymentOption"][0]["iuv"]
    conforms(ONE, "GET", client.get(f"{POSITIONS}/{iupd}", headers=KEY))  # PAID, with receipt data
    conforms(BASE, "GET", client.get(POSITIONS, params={"status": "PAID"}, headers=KEY))
    conforms(LIST_RECEIPTS, "GET", client.get(RECEIPTS, headers=KEY))
    conforms(ONE_RECEIPT, "GET", client.get(f"{RECEIPTS}/{iuv}", headers=KEY))
    conforms(ONE_RECEIPT, "GET", client.get(f"{RECEIPTS}/01999999999999999", headers=KEY))
    conforms(
        ONE_RECEIPT,
        "GET",
        client.get(f"{RECEIPTS}/{iuv}", params={"segregationCodes": "02"}, headers=KEY),
    )
    conforms(ONE, "DELETE", client.delete(f"{POSITIONS}/{iupd}", headers=KEY))  # 409: paid
    conforms(
        ONE, "PUT", client.put(f"{POSITIONS}/{iupd}", json=position_body(iupd), headers=KEY)
    )  # 409

    other = f"{ORG}-contract-2"
    client.post(POSITIONS, params={"toPublish": "true"}, json=position_body(other), headers=KEY)
    conforms(
        ONE + "/invalidate", "POST", client.post(f"{POSITIONS}/{other}/invalidate", headers=KEY)
    )
    conforms(
        ONE + "/invalidate", "POST", client.post(f"{POSITIONS}/missing/invalidate", headers=KEY)
    )
    conforms(ONE, "DELETE", client.delete(f"{POSITIONS}/{other}", headers=KEY))
    conforms(ONE, "DELETE", client.delete(f"{POSITIONS}/{other}", headers=KEY))  # 404

    client.put("/_admin/faults/creation-error", json={})
    client.put("/_admin/faults/status-error", json={})
    client.put("/_admin/faults/receipt-download-failure", json={})
    conforms(BASE, "POST", client.post(POSITIONS, json=position_body("f"), headers=KEY))  # 500
    conforms(ONE, "GET", client.get(f"{POSITIONS}/{iupd}", headers=KEY))  # 500
    conforms(LIST_RECEIPTS, "GET", client.get(RECEIPTS, headers=KEY))  # 500

    operations = {(t, m) for t, m, _ in conforms.checked}
    assert len(operations) == 10  # every implemented operation was checked
    statuses = {s for _, _, s in conforms.checked}
    assert {200, 201, 400, 401, 403, 404, 409, 500} <= statuses


def test_the_checker_catches_a_nonconforming_body(conforms: Conformance) -> None:
    bad = httpx.Response(200, json={"payment_position_list": [{"status": "SOMETHING"}]})
    with pytest.raises(AssertionError, match="breaks the spec"):
        conforms(BASE, "GET", bad)
    undeclared = httpx.Response(418, json={})
    with pytest.raises(AssertionError, match="not declared"):
        conforms(BASE, "GET", undeclared)
    naive = httpx.Response(200, json={"iupd": "x", "insertedDate": "2025-01-01T00:00:00"})
    with pytest.raises(AssertionError, match="date-time"):
        conforms(ONE, "GET", naive)
