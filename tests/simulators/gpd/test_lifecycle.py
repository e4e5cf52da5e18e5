"""A debt position's life through the GPD simulator, as a payment proxy drives it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from lxml import etree
from starlette.testclient import TestClient

from simulators.common.station_client import parse_send_rt_response
from tests.simulators.gpd.conftest import KEY, ORG, POSITIONS, RECEIPTS, future, position_body

Create = Callable[..., dict[str, Any]]
Pay = Callable[..., list[bytes]]
PAF = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"


def test_create_published_then_pay_through_the_station_makes_it_paid(
    client: TestClient, create: Create, pay: Pay
) -> None:
    created = create()
    assert created["status"] == "VALID"  # toPublish without validityDate: payable at once
    iupd, option = created["iupd"], created["paymentOption"][0]
    assert option["nav"] == "3" + option["iuv"]

    got = client.get(f"{POSITIONS}/{iupd}", headers=KEY).json()
    assert got["status"] == "VALID" and got["paymentOption"][0]["status"] == "PO_UNPAID"

    answers = pay(created)
    assert all(b"<outcome>OK</outcome>" in a for a in answers)
    parse_send_rt_response(answers[2])

    got = client.get(f"{POSITIONS}/{iupd}", headers=KEY).json()
    paid_option = got["paymentOption"][0]
    assert got["status"] == "PAID" and "paymentDate" in got
    assert paid_option["status"] == "PO_PAID"
    assert paid_option["idReceipt"] == "r-0001"
    assert paid_option["pspCompany"] == "PSP di prova"

    listed = client.get(RECEIPTS, headers=KEY).json()
    assert listed["totalPages"] == 1
    assert listed["results"] == [
        {
            "organizationFiscalCode": ORG,
            "iuv": option["iuv"],
            "debtor": "RSSMRA80A01H501U",
            "paymentDateTime": "2025-03-01T10:00:00",
            "status": "PAID",
        }
    ]
    xml = client.get(f"{RECEIPTS}/{option['iuv']}", headers=KEY)
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    document = etree.fromstring(xml.content)
    assert document.tag == f"{{{PAF}}}paSendRTV2Request"
    assert document.findtext("receipt/receiptId") == "r-0001"
    assert document.findtext("receipt/noticeNumber") == option["nav"]

    backoffice = client.get("/backoffice").text
    assert iupd in backoffice and "PAID" in backoffice and "paSendRT" in backoffice
    admin = client.get("/_admin/positions").json()
    exchanges = [x["operation"] for x in admin[0]["exchanges"]]
    assert exchanges[0] == "createPosition" and "paVerifyPaymentNotice" in exchanges
    assert admin[0]["paymentOptions"][0]["receipt"]["receiptId"] == "r-0001"


def test_stamp_transfer_is_asked_as_marca_da_bollo_and_its_mbd_kept_in_the_receipt(
    client: TestClient, create: Create, pay: Pay
) -> None:
    created = create(stamp=True)
    assert created["paymentOption"][0]["transfer"][1]["stamp"]["stampType"] == "01"
    verify, get, _ = pay(created)
    assert b"richiestaMarcaDaBollo" in get and b"<hashDocumento>wHpFSLCG" in get
    iuv = created["paymentOption"][0]["iuv"]
    document = etree.fromstring(client.get(f"{RECEIPTS}/{iuv}", headers=KEY).content)
    attachment = document.findtext("receipt/transferList/transfer[idTransfer='2']/MBDAttachment")
    assert attachment is not None
    mbd = etree.fromstring(base64.b64decode(attachment))
    assert etree.QName(mbd).localname == "marcaDaBollo"
    info = client.get("/_admin/positions").json()[0]["paymentOptions"][0]
    assert info["stamps"] == ["2"] and info["receipt"]["mbdAttachments"] == [2]


def test_receipt_sent_directly_to_the_station_is_rebuilt_as_xml(
    app: Any, client: TestClient, create: Create
) -> None:
    from tests.simulators.gpd.conftest import receipt_for

    created = create()
    app.state.simulator.station.send_receipt(receipt_for(created, "direct-1"))
    iuv = created["paymentOption"][0]["iuv"]
    document = etree.fromstring(client.get(f"{RECEIPTS}/{iuv}", headers=KEY).content)
    assert document.findtext("idStation") == f"{ORG}_01"
    assert document.findtext("receipt/receiptId") == "direct-1"


def test_station_refuses_what_cannot_be_paid(client: TestClient, create: Create, pay: Pay) -> None:
    draft = create(publish=False)
    verify = pay(draft)[0]
    assert b"PAA_PAGAMENTO_SCONOSCIUTO" in verify

    invalid = create()
    client.post(f"{POSITIONS}/{invalid['iupd']}/invalidate", headers=KEY)
    assert b"PAA_PAGAMENTO_ANNULLATO" in pay(invalid)[0]

    paid = create()
    pay(paid)
    verify, _, again = pay(paid, "r-0002")
    assert b"PAA_PAGAMENTO_DUPLICATO" in verify
    assert b"PAA_RECEIPT_DUPLICATA" in again


def test_draft_publish_update_invalidate_follow_gpd_status_rules(
    client: TestClient, create: Create, pay: Pay
) -> None:
    draft = create(publish=False)
    iupd = draft["iupd"]
    assert draft["status"] == "DRAFT"
    assert client.post(f"{POSITIONS}/{iupd}/invalidate", headers=KEY).status_code == 409

    body = position_body(iupd)
    body["paymentOption"][0]["description"] = "Nuova descrizione"
    updated = client.put(f"{POSITIONS}/{iupd}", json=body, headers=KEY)
    assert updated.status_code == 200 and updated.json()["status"] == "DRAFT"
    old_iuv = draft["paymentOption"][0]["iuv"]
    gone = client.get(f"{POSITIONS}/{iupd}", headers=KEY).json()["paymentOption"][0]
    assert gone["iuv"] != old_iuv and gone["description"] == "Nuova descrizione"

    published = client.post(f"{POSITIONS}/{iupd}/publish", headers=KEY)
    assert published.status_code == 200 and published.json()["status"] == "VALID"
    again = client.post(f"{POSITIONS}/{iupd}/publish", headers=KEY)
    assert again.status_code == 409 and "publishable" in again.json()["title"]

    with_validity = create(publish=False, validityDate=future(5))
    answer = client.post(f"{POSITIONS}/{with_validity['iupd']}/publish", headers=KEY)
    assert answer.json()["status"] == "PUBLISHED"  # payable from its validity date

    invalidated = client.post(f"{POSITIONS}/{iupd}/invalidate", headers=KEY)
    assert invalidated.status_code == 200 and invalidated.json()["status"] == "INVALID"
    refused = client.put(f"{POSITIONS}/{iupd}", json=position_body(iupd), headers=KEY)
    assert refused.status_code == 409 and "updatable" in refused.json()["detail"]


def test_paid_positions_cannot_be_deleted_or_updated_but_unpaid_ones_can(
    client: TestClient, create: Create, pay: Pay
) -> None:
    paid = create()
    pay(paid)
    iupd = paid["iupd"]
    assert client.delete(f"{POSITIONS}/{iupd}", headers=KEY).status_code == 409
    assert (
        client.put(f"{POSITIONS}/{iupd}", json=position_body(iupd), headers=KEY).status_code == 409
    )

    unpaid = create()
    deleted = client.delete(f"{POSITIONS}/{unpaid['iupd']}", headers=KEY)
    assert deleted.status_code == 200 and deleted.json() == "Debt Position Deleted"
    assert client.get(f"{POSITIONS}/{unpaid['iupd']}", headers=KEY).status_code == 404
    # its IUV is free again
    body = position_body("reuse", paymentOption=unpaid["paymentOption"])
    assert client.post(POSITIONS, json=body, headers=KEY).status_code == 201


def test_duplicates_conflict_on_iupd_and_on_iuv(client: TestClient, create: Create) -> None:
    created = create()
    same_iupd = position_body(created["iupd"])
    answer = client.post(POSITIONS, json=same_iupd, headers=KEY)
    assert answer.status_code == 409
    assert answer.json()["title"] == "The debt position violated constraints of uniqueness"
    same_iuv = position_body("other", paymentOption=created["paymentOption"])
    answer = client.post(POSITIONS, json=same_iuv, headers=KEY)
    assert (
        answer.status_code == 409 and created["paymentOption"][0]["iuv"] in answer.json()["detail"]
    )


def test_invalid_bodies_get_a_specific_problem_json(client: TestClient) -> None:
    def problem(body: object) -> str:
        answer = client.post(POSITIONS, json=body, headers=KEY)
        assert answer.status_code == 400, answer.text
        payload = answer.json()
        assert payload["status"] == 400 and payload["title"]
        detail: str = payload["detail"]
        return detail

    good = position_body("v1")
    assert "fullName is required" in problem({k: v for k, v in good.items() if k != "fullName"})
    bad_amount = position_body("v2")
    bad_amount["paymentOption"][0]["amount"] = 1999
    assert "must equal the sum of its transfers" in problem(bad_amount)
    bad_iuv = position_body("v3")
    bad_iuv["paymentOption"][0]["iuv"] = "01000000000000199"
    assert "check digit" in problem(bad_iuv)
    both = position_body("v4", stamp=True)
    both["paymentOption"][0]["transfer"][1]["iban"] = "IT60X0542811101000000123456"
    assert "mutually exclusive" in problem(both)
    past = position_body("v5")
    past["paymentOption"][0]["dueDate"] = "2020-01-01T00:00:00"
    assert "dueDate" in problem(past)
    assert "type must be F" in problem(position_body("v6", type="X"))
    answer = client.post(POSITIONS, content=b"{not json", headers=KEY)
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["detail"]
    answer = client.post(POSITIONS, params={"toPublish": "maybe"}, json=good, headers=KEY)
    assert answer.status_code == 400 and "toPublish" in answer.json()["detail"]


def test_list_pages_filters_and_orders(client: TestClient, create: Create, pay: Pay) -> None:
    made = [create() for _ in range(3)]
    create(publish=False)
    pay(made[0])
    page = client.get(
        POSITIONS, params={"limit": 2, "page": 0, "orderby": "IUPD", "ordering": "ASC"}, headers=KEY
    ).json()
    assert [p["iupd"] for p in page["payment_position_list"]] == sorted(p["iupd"] for p in made)[:2]
    assert page["page_info"] == {"page": 0, "limit": 2, "items_found": 2, "total_pages": 2}
    drafts = client.get(POSITIONS, params={"status": "DRAFT"}, headers=KEY).json()
    assert [p["status"] for p in drafts["payment_position_list"]] == ["DRAFT"]
    paid = client.get(POSITIONS, params={"payment_date_from": "2025-03-01"}, headers=KEY).json()
    assert [p["iupd"] for p in paid["payment_position_list"]] == [made[0]["iupd"]]
    due = future(30)[:10]
    window = client.get(POSITIONS, params={"due_date_to": due}, headers=KEY).json()
    assert window["page_info"]["total_pages"] == 1 and len(window["payment_position_list"]) == 4
    for params in ({"limit": 51}, {"page": -1}, {"status": "NOPE"}, {"due_date_from": "2025-13-01"},
                   {"due_date_from": "2025-01-01", "due_date_to": "2025-03-01"},
                   {"due_date_from": "2025-01-01", "payment_date_from": "2025-01-01"}):  # fmt: skip
        answer = client.get(POSITIONS, params=params, headers=KEY)
        assert answer.status_code == 400, params


def test_receipts_filters_and_not_found(client: TestClient, create: Create, pay: Pay) -> None:
    assert client.get(RECEIPTS, headers=KEY).status_code == 404  # nothing paid yet
    first, second = create(), create()
    pay(first, "r-1")
    pay(second, "r-2")
    iuv = first["paymentOption"][0]["iuv"]
    found = client.get(RECEIPTS, params={"debtorOrIuv": iuv[:16]}, headers=KEY).json()
    assert [r["iuv"] for r in found["results"]] == [iuv]
    assert client.get(RECEIPTS, params={"pageSize": 1}, headers=KEY).json()["totalPages"] == 2
    assert client.get(RECEIPTS, params={"segregationCodes": "02"}, headers=KEY).status_code == 404
    assert (
        client.get(RECEIPTS, params={"segregationCodes": "1"}, headers=KEY).status_code == 404
    )  # matches nothing: an empty page
    assert (
        client.get(f"{RECEIPTS}/{iuv}", params={"segregationCodes": "02"}, headers=KEY).status_code
        == 403
    )
    missing = client.get(f"{RECEIPTS}/01999999999999999", headers=KEY)
    assert missing.status_code == 404 and missing.json()["title"] == "Not found the receipt"


def test_admin_reset_and_status(client: TestClient, create: Create) -> None:
    create()
    status = client.get("/status").json()
    assert status["simulator"] == "gpd" and status["positions"] == 1
    assert client.post("/_admin/reset").status_code == 204
    assert client.get("/status").json()["positions"] == 0
    assert "No debt positions yet" in client.get("/backoffice").text
