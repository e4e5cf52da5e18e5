"""Every fault profile of each intermediary simulator, against its driver.

For each profile: the right error class (retriable or permanent), the diagnosis for the
allowlist cases (host, port, source address), and — where creation failed — a retry once
the fault is gone finds or creates exactly one debt position.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.core.intermediary import (
    AccessDenied,
    IntermediaryError,
    IntermediaryFault,
    IntermediaryUnavailable,
    PositionState,
    RetriableError,
)
from simulators.common.faults import available
from tests.drivers.pdfqr import decode_pdf_qr
from tests.drivers.stack import Stack, context, creditor, make_driver, pay_online, request
from tests.drivers.test_conformance import RETURN

#: fault → (verb it is exercised on, expected error class or None for "survives").
CREATE_FAULTS: dict[str, type[IntermediaryError]] = {
    "creation-error": IntermediaryFault,
    "timeout": IntermediaryUnavailable,
    "malformed-xml": IntermediaryFault,
    "wrong-namespace": IntermediaryFault,
    "missing-element": IntermediaryFault,
    "malformed-json": IntermediaryFault,
    "ip-not-allowed-refuse": IntermediaryUnavailable,
    "ip-not-allowed-403": AccessDenied,
    "expired-credentials": AccessDenied,
}
OTHER_FAULTS = {
    "slow-response",
    "status-error",
    "notice-download-failure",
    "receipt-download-failure",
    "broken-redirect",
}
# Generous against a loaded CI machine: only "timeout" must exceed the driver timeout.
FAST = {"timeout": {"delay": 3.0}, "slow-response": {"delay": 0.3}}
DRIVER_TIMEOUT = 2.0

CASES = [(driver, fault.name) for driver in ("mypay", "gpd") for fault in available(driver)]


def test_every_fault_profile_of_the_intermediaries_is_covered() -> None:
    names = {name for _, name in CASES}
    assert names <= set(CREATE_FAULTS) | OTHER_FAULTS, names - set(CREATE_FAULTS) - OTHER_FAULTS


@pytest.fixture
async def subject(stack: Stack, request: pytest.FixtureRequest) -> Any:
    name, fault = request.param
    stack.route_creditor_to(name)
    driver = make_driver(name, timeout=DRIVER_TIMEOUT)
    config = creditor(stack, name)
    if name == "mypay":
        await driver.preload(config)  # the WSDL is loaded before anything breaks
    yield name, fault, driver, config
    await driver.aclose()


def assert_allowlist_diagnosis(error: IntermediaryError, stack: Stack, name: str) -> None:
    port = stack.url(name).rsplit(":", 1)[1]
    assert error.diagnosis is not None
    assert f"127.0.0.1:{port}" in error.diagnosis
    assert "source address 127.0.0.1" in error.diagnosis
    assert "allow" in error.diagnosis


@pytest.mark.parametrize(
    "subject", [c for c in CASES if c[1] in CREATE_FAULTS], indirect=True, ids=str
)
async def test_creation_faults_have_the_right_class_and_retrying_creates_one_position(
    stack: Stack, subject: Any
) -> None:
    name, fault, driver, config = subject
    req = request(config)
    stack.fault(name, fault, **FAST.get(fault, {}))
    with pytest.raises(IntermediaryError) as caught:
        await driver.create_debt_position(req)
    error = caught.value
    assert type(error) is CREATE_FAULTS[fault], error.describe()
    assert error.retriable is issubclass(CREATE_FAULTS[fault], RetriableError)
    assert error.exchanges, "the error carries no exchanges"
    assert all("sim-password" not in (e.request + (e.response or "")) for e in error.exchanges)
    assert all("sim-subscription-key" not in e.request for e in error.exchanges)
    if fault.startswith("ip-not-allowed"):
        assert_allowlist_diagnosis(error, stack, name)
    if fault == "timeout":
        assert error.code == "TIMEOUT"
        await asyncio.sleep(FAST["timeout"]["delay"] + 0.3)  # the late answer completes

    stack.clear_faults(name)
    position = await driver.create_debt_position(req)
    assert len(stack.positions(name)) == 1, "the retry created a duplicate debt position"
    assert position.iud == (await driver.create_debt_position(req)).iud


@pytest.mark.parametrize(
    "subject", [c for c in CASES if c[1] in OTHER_FAULTS], indirect=True, ids=str
)
async def test_faults_after_creation(stack: Stack, subject: Any) -> None:
    name, fault, driver, config = subject
    req = request(config)
    position = await driver.create_debt_position(req)
    ctx = context(req, position)

    if fault == "slow-response":
        stack.fault(name, fault, **FAST[fault])
        assert (await driver.status(ctx)).state is PositionState.UNPAID
        assert (await driver.checkout_url(ctx, RETURN)).startswith("http")
    elif fault == "status-error":
        stack.fault(name, fault)
        with pytest.raises(RetriableError) as caught:
            await driver.status(ctx)
        assert caught.value.exchanges
        stack.clear_faults(name)
        assert (await driver.status(ctx)).state is PositionState.UNPAID
    elif fault == "notice-download-failure":
        stack.fault(name, fault)
        if name == "gpd":  # the GPD driver renders the notice itself: unaffected
            assert decode_pdf_qr(await driver.notice_pdf(ctx)).startswith("PAGOPA|002|")
        else:
            with pytest.raises(RetriableError):
                await driver.notice_pdf(ctx)
            stack.clear_faults(name)
            assert decode_pdf_qr(await driver.notice_pdf(ctx)).startswith("PAGOPA|002|")
    elif fault == "receipt-download-failure":
        await pay_online(await driver.checkout_url(ctx, RETURN))
        stack.fault(name, fault)
        with pytest.raises(RetriableError) as caught:
            await driver.receipt(ctx)
        assert caught.value.exchanges
        stack.clear_faults(name)
        assert (await driver.receipt(ctx)).iuv == position.iuv
    elif fault == "broken-redirect":
        stack.fault(name, fault)
        url = await driver.checkout_url(ctx, RETURN)
        if name == "mypay":
            # A well-formed URL leading nowhere: only the citizen (and the proxy's landing
            # check) can tell; the driver hands it over as MyPay gave it.
            async with __import__("httpx").AsyncClient() as http:
                page = await http.get(url, follow_redirects=True)
            assert page.status_code >= 400 or 'id="carrello"' not in page.text
        else:  # GPD hands out no URL: the checkout comes from pagoPA Checkout
            assert "/c/" in url
