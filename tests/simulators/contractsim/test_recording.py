"""Recording, drift and replay of collaudo work against the contract simulator: it is plain
HTTP. Traffic to `collaudo sim contract` serving gpd.json is recorded through the recorder's
reverse proxy, checked for drift against the official contract, and replayed against a
fresh contract simulator."""

from __future__ import annotations

from pathlib import Path

import httpx

from collaudo.recorder import drift
from collaudo.recorder.addon import RecordingAddon
from collaudo.recorder.flows import read_flows
from collaudo.recorder.proxy import ReverseProxy
from collaudo.recorder.pseudonyms import Pseudonyms
from collaudo.recorder.redaction import Redactor
from collaudo.recorder.replay_client import resend
from simulators.common import contracts
from simulators.common.server import free_port, serving
from simulators.contractsim.app import Settings, create_app
from tests.simulators.contractsim.conftest import official

POSITIONS = "/gpd/debt-positions-service/v1/organizations/80000000002/debtpositions"
KEY = {"Ocp-Apim-Subscription-Key": "any-key"}
POSITION = {
    "iupd": "80000000002-rec-1",
    "type": "F",
    "fiscalCode": "RSSMRA85T10A562S",
    "fullName": "Mario Rossi",
    "companyName": "Comune di Bugliano",
    "switchToExpired": False,
    "paymentOption": [
        {
            "iuv": "01000000000000123",
            "amount": 2000,
            "description": "Diritti di segreteria",
            "isPartialPayment": False,
            "dueDate": "2027-01-31T00:00:00",
            "transfer": [
                {
                    "idTransfer": "1",
                    "amount": 2000,
                    "remittanceInformation": "Diritti",
                    "category": "9/0101108TS/",
                    "iban": "IT60X0542811101000000123456",
                }
            ],
        }
    ],
}


def test_recorded_traffic_has_no_drift_and_replays_the_same(tmp_path: Path) -> None:
    contract = str(official(contracts.GPD_JSON))
    out = tmp_path / "contract.flow"
    with serving(create_app(Settings(contract=contract))) as simulator:
        addon = RecordingAddon(out, Redactor(Pseudonyms(b"test-key")), label="contract-sim")
        proxy = ReverseProxy([(simulator.url, free_port())], [addon]).start()
        try:
            with httpx.Client(base_url=proxy.urls[simulator.url], headers=KEY) as client:
                assert client.post(POSITIONS, json=POSITION).status_code == 201
                assert client.get(f"{POSITIONS}/80000000002-rec-1").status_code == 200
                assert client.get(POSITIONS, params={"page": 0}).status_code == 200
                assert client.delete(f"{POSITIONS}/80000000002-rec-1").status_code == 200
                assert client.get(f"{POSITIONS}/80000000002-rec-1").status_code == 404
        finally:
            proxy.stop()
    flows = read_flows(out)
    assert len(flows) == 5
    report = drift.check(flows, "gpd")
    assert report.checked >= 5 and report.violations == [], report.render()

    with serving(create_app(Settings(contract=contract))) as fresh:
        results = resend(flows, fresh.url, KEY)
    assert [r.status for r in results] == [201, 200, 200, 200, 404]
    assert [r.recorded_status for r in results] == [201, 200, 200, 200, 404]
