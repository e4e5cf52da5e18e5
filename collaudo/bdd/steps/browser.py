"""Steps: the citizen and the operator in a real browser (Debian's Chromium, Playwright).

One Chromium per test session (or xdist worker), on :class:`ChromiumRunner`'s loop, and
one tab per scenario (:class:`Scheda`: a fresh context opened by its first browser step and
used by the next ones, as the citizen keeps one browser open; closed after the scenario).
Every page the browser shows is photographed and attached to the Allure report.
Scenarios using these steps are tagged ``@browser``; they skip, saying why, where
Chromium or the form.io renderer is not installed.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.async_api import Browser, Page
from pytest_bdd import parsers, then, when

from collaudo.bdd.fixtures import Application, ConfigDraft
from collaudo.bdd.world import CollaudoEnv
from collaudo.browser import (
    BrowserCheckoutResult,
    ChromiumRunner,
    chromium_missing_reason,
    citizen_actions,
    new_context,
    pay_in_browser,
    watch_landing,
)
from collaudo.browser.admin import configure_through_form
from collaudo.formio.install import FormioAssets, FormioMissing, find_formio
from collaudo.formio.operator import FormRejected, FormValue, input_components
from collaudo.formio.page import ConfigKind, FormDesk, serving_desk

T = TypeVar("T")
CHECKOUT_PAGES = ["carrello-pagina", "metodo-pagina", "carta-pagina", "riepilogo-pagina"]


@pytest.fixture(scope="session")
def chromium_runner() -> Iterator[ChromiumRunner]:
    """The session's Chromium (skips the scenario when it is not installed)."""
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    runner = ChromiumRunner()
    yield runner
    runner.close()


class Scheda:
    """The scenario's browser tab: one context and page, opened on first use, shared by
    the scenario's browser steps, closed (cookies, storage and all) after the scenario."""

    def __init__(self, runner: ChromiumRunner) -> None:
        self.runner = runner
        self._page: Page | None = None
        self._open = contextlib.AsyncExitStack()

    def run(self, make: Callable[[Browser, Page], Awaitable[T]]) -> T:
        """``make(browser, page)`` on the runner's loop, in this scenario's tab."""

        async def job(browser: Browser) -> T:
            if self._page is None or self._page.is_closed():
                self._page = await self._open.enter_async_context(new_context(browser))
            return await make(browser, self._page)

        return self.runner.run(job)

    def close(self) -> None:
        if self._page is None:
            return
        self._page = None

        async def close(browser: Browser) -> None:
            await self._open.aclose()

        self.runner.run(close)


@pytest.fixture
def scheda(chromium_runner: ChromiumRunner) -> Iterator[Scheda]:
    """The scenario's one browser tab (none opened until a step needs it)."""
    tab = Scheda(chromium_runner)
    yield tab
    tab.close()


class Scrivania:
    """The operator's desk for the session: the form page served once on the runner's loop,
    open in a tab of its own context, where each form step renders its form in place of the
    last one (form.io, 2.2 MB of script, loads once instead of once a form).

    Sharing that context across scenarios shares nothing of the system under test: the
    page is collaudo's own (its server forwards each submission to the proxy with the
    token, which never reaches the browser), the proxy sets no cookie in it, and its
    cookies are cleared before each form anyway. The citizen's steps keep their
    scenario's own fresh context (:class:`Scheda`).
    """

    def __init__(self, runner: ChromiumRunner, assets: FormioAssets) -> None:
        self.runner = runner
        self.assets = assets
        self._desk: FormDesk | None = None
        self._page: Page | None = None
        self._open = contextlib.AsyncExitStack()

    def run(self, make: Callable[[Browser, FormDesk, Page], Awaitable[T]]) -> T:
        """``make(browser, desk, page)`` on the runner's loop, at the desk."""

        async def job(browser: Browser) -> T:
            if self._desk is None:
                served, _ = await self._open.enter_async_context(serving_desk(self.assets))
                self._desk = served
            desk, page = self._desk, self._page
            if page is None or page.is_closed():
                page = self._page = await self._open.enter_async_context(new_context(browser))
            await page.context.clear_cookies()
            return await make(browser, desk, page)

        return self.runner.run(job)

    def close(self) -> None:
        if self._desk is None and self._page is None:
            return
        self._desk = self._page = None

        async def close(browser: Browser) -> None:
            await self._open.aclose()

        self.runner.run(close)


@pytest.fixture(scope="session")
def scrivania(chromium_runner: ChromiumRunner) -> Iterator[Scrivania]:
    """The session's operator desk (skips the scenario when form.io is not installed)."""
    try:
        assets = find_formio()
    except FormioMissing as exc:
        pytest.skip(str(exc))
    desk = Scrivania(chromium_runner, assets)
    yield desk
    desk.close()


@dataclass
class Fotografie:
    """The scenario's screenshots: a directory, and which are already in the report."""

    directory: Path
    attached: set[Path] = field(default_factory=set)

    def attach_new(self) -> None:
        """Attach the screenshots not attached yet to the Allure test (no-op without it)."""
        try:
            import allure
        except ImportError:  # pragma: no cover - allure-pytest is a dependency
            return
        for path in sorted(self.directory.glob("*.png")):
            if path not in self.attached:
                self.attached.add(path)
                allure.attach.file(  # type: ignore[no-untyped-call]
                    str(path), name=path.stem, attachment_type=allure.attachment_type.PNG
                )


@pytest.fixture
def fotografie(tmp_path: Path) -> Fotografie:
    """Where the scenario's screenshots go (each step attaches its own, even on failure)."""
    return Fotografie(tmp_path / "screenshots")


def _in_browser(tab: Scheda, shots: Fotografie, make: Callable[[Browser, Page], Awaitable[T]]) -> T:
    try:
        return tab.run(make)
    finally:
        shots.attach_new()


def _simulated_checkout(env: CollaudoEnv) -> None:
    # pagoPA's real test checkout has other pages; the walk knows the simulator's.
    env.require_simulators("walking the checkout's pages in Chromium")


# -- the citizen on the checkout -------------------------------------------------------


@when(
    parsers.re(
        r'il cittadino paga nel browser dall\'Area Personale con la carta "(?P<carta>[\d ]+)"'
    ),
    target_fixture="esito_browser",
)
def pay_in_chromium(
    env: CollaudoEnv,
    pratica: Application,
    carta: str,
    scheda: Scheda,
    fotografie: Fotografie,
) -> BrowserCheckoutResult:
    _simulated_checkout(env)
    return _in_browser(
        scheda,
        fotografie,
        lambda browser, page: pay_in_browser(
            env.url("platform", "/"),
            carta,
            fotografie.directory,
            payment_id=str(pratica.payment_id),
            browser=browser,
            page=page,
        ),
    )


@when("il cittadino annulla il pagamento nel browser", target_fixture="esito_browser")
def cancel_in_chromium(
    env: CollaudoEnv, pratica: Application, scheda: Scheda, fotografie: Fotografie
) -> BrowserCheckoutResult:
    _simulated_checkout(env)
    return _in_browser(
        scheda,
        fotografie,
        lambda browser, page: pay_in_browser(
            env.url("platform", "/"),
            screenshots_dir=fotografie.directory,
            payment_id=str(pratica.payment_id),
            cancel=True,
            browser=browser,
            page=page,
        ),
    )


@then(parsers.re(r'il browser mostra l\'esito "(?P<esito>[A-Z]+)" del checkout'))
def browser_outcome(esito_browser: BrowserCheckoutResult, esito: str) -> None:
    assert esito_browser.outcome == esito, esito_browser


@then("il browser è passato per le pagine del checkout fino all'esito")
def walked_every_page(esito_browser: BrowserCheckoutResult) -> None:
    names = esito_browser.page_names
    assert names[1 : 1 + len(CHECKOUT_PAGES)] == CHECKOUT_PAGES, names
    assert "esito-pagina" in names, names
    assert len(esito_browser.screenshots) == len(esito_browser.pages), esito_browser.pages


@then("il checkout spiega che la carta è stata rifiutata")
def declined_explained(esito_browser: BrowserCheckoutResult) -> None:
    assert "rifiutata" in esito_browser.message, esito_browser.message


@then("il browser resta sulla pagina d'errore del checkout")
def stays_on_error_page(esito_browser: BrowserCheckoutResult) -> None:
    assert esito_browser.page_names[-1] == "errore-carta-pagina", esito_browser.page_names
    assert esito_browser.return_url is None, esito_browser.return_url


@then("il browser torna alla pagina della pratica sulla piattaforma")
def back_on_application_page(
    env: CollaudoEnv, pratica: Application, esito_browser: BrowserCheckoutResult
) -> None:
    landing = env.url("proxy", f"/landing/{pratica.payment_id}")
    assert (esito_browser.return_url or "").startswith(landing), esito_browser.return_url
    page = env.url("platform", f"/applications/{pratica.application_id}")
    assert esito_browser.landing_url == page, esito_browser.landing_url


@then(parsers.re(r"la pagina della pratica nel browser mostra lo stato (?P<stato>[A-Z_]+)"))
def application_page_shows(
    esito_browser: BrowserCheckoutResult,
    stato: str,
    scheda: Scheda,
    fotografie: Fotografie,
) -> None:
    assert esito_browser.landing_url, esito_browser
    if esito_browser.landing_status == stato:
        return  # the page the citizen landed on showed it already (and was photographed)
    url = esito_browser.landing_url
    shown = _in_browser(
        scheda,
        fotografie,
        lambda browser, page: watch_landing(
            url, stato, fotografie.directory, browser=browser, page=page
        ),
    )
    assert shown == stato, f"the application page shows {shown}, not {stato}"


@then('l\'Area Personale offre ancora "Paga online" per quella pratica')
def still_payable(env: CollaudoEnv, pratica: Application, scheda: Scheda) -> None:
    platform, payment_id = env.url("platform", "/"), str(pratica.payment_id)
    links = scheda.run(
        lambda browser, page: citizen_actions(platform, payment_id, browser=browser, page=page)
    )
    assert "online_payment_begin" in links, links


# -- the operator on the admin form ----------------------------------------------------


@dataclass
class EsitoModulo:
    """What the operator typed into the form.io form and how it ended."""

    kind: str  # "tenants" | "services"
    values: dict[str, FormValue]
    stored: dict[str, Any] | None = None
    rejected: FormRejected | None = None
    left_empty: str | None = None


def _flatten(body: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, Mapping):
            flat |= _flatten(value, f"{prefix}{key}.")
        elif value is not None:
            flat[f"{prefix}{key}"] = value
    return flat


def _typed(value: Any) -> FormValue:
    """What an operator types for a JSON value (checkboxes stay booleans)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _form_values(
    env: CollaudoEnv, draft: ConfigDraft
) -> tuple[dict[str, FormValue], dict[str, Any]]:
    schema = env.operator.get(f"/{draft.kind}/schema").json()
    components = input_components(schema)
    flat = _flatten(draft.body)
    missing = sorted(set(flat) - set(components))
    assert not missing, f"the {draft.kind} form has no field for {missing}: {sorted(components)}"
    return {key: _typed(value) for key, value in flat.items()}, components


def _fill(
    env: CollaudoEnv,
    draft: ConfigDraft,
    values: dict[str, FormValue],
    desk: Scrivania,
    shots: Fotografie,
) -> tuple[dict[str, Any] | None, FormRejected | None]:
    kind: ConfigKind = "tenant" if draft.kind == "tenants" else "service"
    try:
        stored = desk.run(
            lambda browser, served, page: configure_through_form(
                env.url("proxy"), env.stack.api_token, kind, values, shots.directory,
                browser=browser, assets=desk.assets, page=page, desk=served,
            ),
        )  # fmt: skip
    except FormRejected as refused:
        return None, refused
    finally:
        shots.attach_new()
    return stored, None


@when("l'operatore compila e salva la configurazione nel modulo form.io", target_fixture="modulo")
def fill_and_save(
    env: CollaudoEnv,
    configurazione: ConfigDraft,
    scrivania: Scrivania,
    fotografie: Fotografie,
) -> EsitoModulo:
    values, _ = _form_values(env, configurazione)
    stored, refused = _fill(env, configurazione, values, scrivania, fotografie)
    return EsitoModulo(configurazione.kind, values, stored, refused)


@when(
    "l'operatore compila il modulo form.io lasciando vuoto un campo obbligatorio "
    "dell'intermediario",
    target_fixture="modulo",
)
def fill_leaving_one_empty(
    env: CollaudoEnv,
    configurazione: ConfigDraft,
    scrivania: Scrivania,
    fotografie: Fotografie,
) -> EsitoModulo:
    values, components = _form_values(env, configurazione)
    required = [
        key
        for key, c in components.items()
        if key.startswith(f"{env.intermediary}_")
        and c.get("validate", {}).get("required")
        and "defaultValue" not in c
    ]
    assert required, f"the form has no required {env.intermediary} field without a default"
    values[required[0]] = ""  # typed, then erased
    stored, refused = _fill(env, configurazione, values, scrivania, fotografie)
    return EsitoModulo(configurazione.kind, values, stored, refused, left_empty=required[0])


@then("il modulo conferma il salvataggio")
def form_saved(modulo: EsitoModulo) -> None:
    assert modulo.rejected is None, str(modulo.rejected)
    assert modulo.stored is not None


@then("il proxy ha salvato i valori inseriti nel modulo")
def stored_as_typed(env: CollaudoEnv, modulo: EsitoModulo) -> None:
    assert modulo.stored is not None, str(modulo.rejected)
    response = env.operator.get(f"/{modulo.kind}/{modulo.stored['id']}")
    assert response.status_code == 200, response.text
    stored = _flatten(response.json())
    for key, typed in modulo.values.items():
        assert key in stored, f"{key} typed into the form but not stored: {sorted(stored)}"
        assert _typed(stored[key]) == typed, f"{key}: typed {typed!r}, stored {stored[key]!r}"
    uuid.UUID(str(stored["id"]))


@then("il modulo form.io segnala che quel campo è obbligatorio")
def required_shown(modulo: EsitoModulo) -> None:
    refused = modulo.rejected
    assert refused is not None, f"the form was saved: {modulo.stored}"
    assert refused.source == "form", str(refused)
    assert modulo.left_empty in refused.errors, refused.errors
    assert refused.errors[modulo.left_empty].endswith("è obbligatorio"), refused.errors
