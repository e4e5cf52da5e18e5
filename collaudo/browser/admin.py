"""An operator configuring the proxy through its admin form, rendered by form.io in Chromium."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page

from adapters.core.tls import default_tls
from collaudo.browser.chromium import Screenshots, page_to_use
from collaudo.formio.install import FormioAssets, find_formio
from collaudo.formio.operator import FormRejected, FormValue, fill_and_submit
from collaudo.formio.page import ConfigKind, FormDesk, serving_form_page


async def configure_through_form(
    proxy_url: str,
    token: str,
    kind: ConfigKind,
    values: Mapping[str, FormValue],
    screenshots_dir: Path | None = None,
    *,
    browser: Browser | None = None,
    assets: FormioAssets | None = None,
    page: Page | None = None,
    desk: FormDesk | None = None,
) -> dict[str, Any]:
    """Fill the proxy's ``kind`` form (``tenant``/``service``) and return what it stored.

    The schema comes from ``GET /{kind}s/schema``; the real form.io renderer draws it;
    the values are typed into the inputs found by component key; "Salva" submits and
    the local page forwards the submission to ``POST /{kind}s`` with the token (which
    never reaches the page). Raises :class:`FormRejected` with the errors the renderer
    showed (``source="form"``, nothing sent) or the proxy answered (``source="proxy"``).
    ``page``: fill the form in a tab already open instead of a fresh context.
    ``desk``: the operator's desk already served (:func:`~collaudo.formio.page.serving_desk`),
    whose page, left open in ``page``, renders this form in place of the last one.
    """
    assets = assets or find_formio()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=proxy_url, headers=headers, timeout=15, verify=default_tls()
    ) as http:
        response = await http.get(f"/{kind}s/schema")
        if response.status_code != 200:
            raise FormRejected(
                "proxy", {}, response.status_code, f"GET /{kind}s/schema: {response.text[:300]}"
            )
        schema: dict[str, Any] = response.json()
        shots = Screenshots(screenshots_dir, prefix=f"{kind}-")
        if desk is not None:
            ident = desk.add(proxy_url, token, kind, schema)
            try:
                async with page_to_use(browser, page) as tab:
                    stored = await fill_and_submit(tab, desk.form_url(ident), schema, values, shots)
            finally:
                desk.remove(ident)
        else:
            async with serving_form_page(proxy_url, token, kind, schema, assets) as form_url:
                async with page_to_use(browser, page) as tab:
                    stored = await fill_and_submit(tab, form_url, schema, values, shots)
        answer = await http.get(f"/{kind}s/{stored['id']}")
        if answer.status_code != 200:
            raise FormRejected(
                "proxy",
                {},
                answer.status_code,
                f"the proxy accepted the form but GET /{kind}s/{stored['id']} answered "
                f"HTTP {answer.status_code}: {answer.text[:300]}",
            )
        result: dict[str, Any] = answer.json()
        return result
