"""``collaudo fuzz --target govpay``: the GovPay simulator against GovPay's official API
Pendenze v2 file, loaded by the shared loader with the listed documentation defects fixed."""

from __future__ import annotations

import json

import pytest

from collaudo.fuzz import contracts, run_fuzz
from collaudo.fuzz.rest import REST_TARGETS

pytestmark = pytest.mark.skipif(
    not contracts.available(contracts.GOVPAY_PENDENZE),
    reason="official GovPay contract absent: run `collaudo contracts fetch`",
)


def test_the_bundled_spec_is_self_contained_and_declares_what_govpay_answers() -> None:
    spec = contracts.govpay_pendenze_spec()
    text = json.dumps(spec)  # dates stay strings: the document is JSON
    refs = {r.split("#")[0] for r in text.split('"$ref": "')[1:]}
    assert refs == {""}, refs  # only local references remain
    put = spec["paths"]["/pendenze/{idA2A}/{idPendenza}"]["put"]["responses"]
    assert {"200", "201", "422"} <= set(put)  # 201 and 422: listed defects, now declared
    avviso = spec["paths"]["/avvisi/{idDominio}/{numeroAvviso}"]["get"]["responses"]
    assert {"400", "406"} <= set(avviso)


def test_the_govpay_simulator_conforms_and_the_defects_are_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_fuzz(["govpay"], 2, reports_dir=tmp_path, seed=20261206)
    [report] = result.reports
    assert report.cases > 0 and report.operations == 8
    assert result.ok, [f"{f.operation}: {f.message}" for f in report.findings]
    notes = "\n".join(report.notes)
    for defect in ("put-201", "business-422", "get-400", "avvisi-406", "date-time-offset"):
        assert f"contract defect {defect} " in notes, notes
    assert "getProfilo" in notes  # what is not simulated is said, not silently skipped
    assert "$COLLAUDO_GOVPAY_PASSWORD" in str(REST_TARGETS["govpay"].secrets)
