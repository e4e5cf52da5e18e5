"""An operator filling a form.io configuration form in the browser.

Inputs are found by their component key, the way form.io names them
(``[name="data[<key>]"]``); selects are Choices.js widgets, opened and picked with
the mouse; checkboxes are ticked. An empty string means "typed, then erased", so
form.io treats the field as touched and shows its own message. Once the renderer
has settled, "Salva" is clicked if form.io enabled it; if it stays disabled (a
required field empty, a pattern not matched) form.io's own submit is attempted,
which refuses, marks the fields and lists the errors; they are raised.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit, urlunsplit

from playwright.async_api import Page

from collaudo.browser import hand

FormValue = str | int | float | bool
Shots = Callable[[Page, str], Awaitable[Path | None]]

_SETTLED = """(button) => {
  const form = window.collaudoForm;
  const valid = form.checkValidity(form.submission.data, false, form.submission.data);
  const shown = document.querySelector(button);
  return shown !== null && shown.disabled === !valid;
}"""
# What form.io does when its submit button is pressed; with invalid data it refuses,
# marks every field touched and lists the errors, and emits no "submit" (nothing is sent).
_ATTEMPT = """() => window.collaudoForm.submit().then(() => true, () => false)"""
_ERRORS = """() => Array.from(document.querySelectorAll('#formio .formio-errors .error')).map(
  (e) => [e.closest('.formio-component').className, e.textContent.trim()])"""


class FormRejected(Exception):
    """The form was not stored: ``errors`` maps each field (component key) to its message.

    ``source`` says who refused: ``"form"`` (the form.io renderer; nothing was sent) or
    ``"proxy"`` (the configuration API, with its HTTP ``status``).
    """

    def __init__(
        self,
        source: Literal["form", "proxy"],
        errors: Mapping[str, str],
        status: int | None = None,
        detail: str = "",
    ) -> None:
        listed = "; ".join(f"{k}: {v}" for k, v in errors.items())
        who = "the form.io renderer" if source == "form" else f"the proxy (HTTP {status})"
        super().__init__(f"{who} refused the form: {listed or detail}")
        self.source = source
        self.errors = dict(errors)
        self.status = status
        self.detail = detail


def input_components(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fillable components by key (buttons left out)."""
    return {
        c["key"]: c
        for c in schema.get("components", [])
        if c.get("input") and c.get("type") != "button"
    }


def _css(value: str) -> str:
    return json.dumps(value)  # a CSS string literal for these keys and option values


def _wrapper(key: str) -> str:
    # Keys may hold dots (remote_collection.id): match the class as a word, not a selector.
    return f"#formio [class~={_css('formio-component-' + key)}]"


async def enter(page: Page, component: Mapping[str, Any], value: FormValue) -> None:
    """Type, pick or tick ``value`` into one component (focus moving on leaves the last)."""
    key, kind = component["key"], component["type"]
    field = f"#formio [name={_css(f'data[{key}]')}]"
    if kind == "checkbox":
        await hand.set_checked(page, field, bool(value))
    elif kind == "select":
        options = [str(v["value"]) for v in component.get("data", {}).get("values", [])]
        if str(value) not in options:
            raise ValueError(f"{key}: {value!r} is not an option of the form ({options})")
        await hand.click(page, f"{_wrapper(key)} .choices")
        await hand.click(
            page, f"{_wrapper(key)} .choices__item--choice[data-value={_css(str(value))}]"
        )
    elif kind in {"textfield", "number", "email", "textarea", "url"}:
        text = str(value)
        if text == "":
            await hand.type_into(page, field, "x")  # touched, so form.io judges it
        await hand.type_into(page, field, text)
    else:
        raise ValueError(f"{key}: form.io component type {kind!r} is not supported here")


def _submit_selector(schema: Mapping[str, Any]) -> str:
    for c in schema.get("components", []):
        if c.get("type") == "button" and c.get("action", "submit") == "submit":
            return f"#formio button[name={_css('data[' + c['key'] + ']')}]"
    raise ValueError("the form has no submit button: check the schema the proxy serves")


async def shown_errors(page: Page, keys: list[str]) -> dict[str, str]:
    """The error messages form.io shows, by component key."""
    errors: dict[str, str] = {}
    for classes, message in await page.evaluate(_ERRORS):
        for name in str(classes).split():
            key = name.removeprefix("formio-component-")
            if key in keys and key not in errors:
                errors[key] = str(message)
    return errors


async def _proxy_answer(page: Page) -> tuple[int, Any]:
    status = int(await hand.attribute(page, "#esito", "data-status") or 0)
    return status, json.loads(await hand.attribute(page, "#esito", "data-body") or "null")


async def _open(page: Page, url: str) -> None:
    """Show the form at ``url`` (``<desk>?form=<id>``): in place when the tab is on that desk
    already (form.io stays loaded), else by loading the page."""
    parts = urlsplit(url)
    ident = parse_qs(parts.query).get("form", [""])[0]
    desk = urlunsplit(parts._replace(query="", fragment=""))
    here = urlsplit(page.url)
    if (
        ident
        and urlunsplit(here._replace(query="", fragment="")) == desk
        and await page.evaluate("() => typeof window.collaudoOpen === 'function'")
    ):
        await page.evaluate("(id) => window.collaudoOpen(id)", ident)
    else:
        await page.goto(url)
    ready = f"body[data-ready={_css(ident)}]" if ident else "body[data-ready]"
    await page.wait_for_selector(f"{ready}, body[data-failed]", state="attached")


async def fill_and_submit(
    page: Page,
    url: str,
    schema: Mapping[str, Any],
    values: Mapping[str, FormValue],
    shots: Shots,
) -> dict[str, Any]:
    """Open the form page, enter ``values``, click "Salva"; the proxy's stored document."""
    components = input_components(schema)
    unknown = sorted(set(values) - set(components))
    if unknown:
        raise ValueError(f"the form has no field {unknown}; its fields: {sorted(components)}")
    await _open(page, url)
    failed = await hand.attribute(page, "body", "data-failed")
    if failed:
        raise RuntimeError(f"form.io could not render the schema: {failed}")
    await shots(page, "vuoto")
    for key, value in values.items():
        await enter(page, components[key], value)
    await hand.blur(page)
    submit = _submit_selector(schema)
    await page.wait_for_function(_SETTLED, arg=submit, polling=50)
    await shots(page, "compilato")
    if await page.evaluate("(s) => document.querySelector(s).disabled", submit):
        # An operator cannot press a disabled "Salva"; form.io's own submit attempt shows why.
        await page.evaluate(_ATTEMPT)
    else:
        await hand.click(page, submit)
    await page.wait_for_selector("#esito[data-status], #formio .alert-danger")
    if not await hand.exists(page, "#esito[data-status]"):
        errors = await shown_errors(page, list(components))
        await shots(page, "errori")
        raise FormRejected("form", errors, detail="form.io refused to submit the form")
    await shots(page, "inviato")
    status, body = await _proxy_answer(page)
    if status >= 300 or not isinstance(body, dict):
        errors = {
            str(e.get("field")): str(e.get("message"))
            for e in (body or {}).get("errors", [])
            if isinstance(e, dict)
        }
        detail = str((body or {}).get("detail", "")) if isinstance(body, dict) else str(body)
        raise FormRejected("proxy", errors, status, detail)
    return body
