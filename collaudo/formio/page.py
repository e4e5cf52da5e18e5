"""The operator's desk: a small admin page on loopback rendering form.io schemas with the
real renderer.

``GET /`` is the page: Bootstrap 4 and form.io's CSS, ``formio.full.min.js``, and a
script whose ``collaudoOpen(id)`` renders a registered form (``GET /forms/{id}/form.json``:
the schema and the page's words in its language) with ``Formio.createForm``, in place of
the one shown (``/?form={id}`` opens it on load). On form.io's ``submit`` event the page
posts ``submission.data`` to ``POST /forms/{id}/submit``; this server forwards it to the
proxy's ``POST /{kind}s`` with the bearer token (the token stays here, never in the page)
and the page shows the proxy's answer:

- ``#esito[data-status]`` — the proxy's HTTP status, the body in ``data-body``;
- ``ul#errori-proxy li[data-field]`` — each field error of a 4xx problem.

``body[data-ready="{id}"]`` appears once that form is rendered (``data-failed`` if not).
One page serves many forms: loading form.io (2.2 MB of script) is most of the browser's
work for a form, and the desk does it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.core.tls import default_tls
from collaudo.formio.install import FormioAssets
from collaudo.i18n import gettext as _
from collaudo.i18n import language
from simulators.common.server import PromptServer, bind_socket, bound_port, make_config, serve

logger = logging.getLogger(__name__)

ConfigKind = Literal["tenant", "service"]

_SCRIPT = """
const show = (form, answer) => {
  const esito = document.getElementById('esito');
  const list = document.getElementById('errori-proxy');
  list.replaceChildren();
  for (const error of (answer.body && answer.body.errors) || []) {
    const item = document.createElement('li');
    item.dataset.field = error.field;
    item.textContent = error.field + ': ' + error.message;
    list.appendChild(item);
  }
  esito.textContent = answer.status < 300
    ? TEXT.saved.replace('%(status)s', answer.status)
    : TEXT.refused.replace('%(status)s', answer.status)
      + ((answer.body && answer.body.detail) || '');
  esito.className = answer.status < 300 ? 'alert alert-success' : 'alert alert-danger';
  esito.dataset.body = JSON.stringify(answer.body);
  esito.dataset.status = String(answer.status);
  // Ends the button's spinner: success or error state, as for form.io's own server.
  form.emit(answer.status < 300 ? 'submitDone' : 'submitError', answer.body);
};
let TEXT = {};
// Opens the form registered as `id` in place of the one shown: a fresh form.io form in a
// fresh element, the previous one destroyed and its answer cleared.
window.collaudoOpen = (id) => {
  delete document.body.dataset.ready;
  delete document.body.dataset.failed;
  if (window.collaudoForm) window.collaudoForm.destroy(true);
  window.collaudoForm = null;
  const esito = document.getElementById('esito');
  esito.replaceChildren();
  esito.className = '';
  delete esito.dataset.status;
  delete esito.dataset.body;
  document.getElementById('errori-proxy').replaceChildren();
  const holder = document.createElement('div');
  document.getElementById('formio').replaceChildren(holder);
  const base = 'forms/' + encodeURIComponent(id) + '/';
  return fetch(base + 'form.json')
    .then((r) => {
      if (!r.ok) throw new Error('no form ' + id + ' on this desk (HTTP ' + r.status + ')');
      return r.json();
    })
    .then((spec) => {
      TEXT = spec.texts;
      document.documentElement.lang = spec.language;
      document.title = spec.title;
      document.getElementById('titolo').textContent = spec.title;
      document.getElementById('sottotitolo').textContent = spec.subtitle;
      return Formio.createForm(holder, spec.schema, spec.formio);
    })
    .then((form) => {
      window.collaudoForm = form;
      form.on('submit', (submission) => {
        fetch(base + 'submit', {
          method: 'POST',
          headers: {'Content-Type': 'application/json'},
          body: JSON.stringify(submission.data),
        })
          .then((r) => r.json())
          .then((answer) => show(form, answer))
          .catch((e) => show(form, {status: 599, body: {detail: String(e)}}));
      });
      document.body.dataset.ready = id;
    })
    .catch((e) => { document.body.dataset.failed = String(e); });
};
const first = new URLSearchParams(location.search).get('form');
if (first) window.collaudoOpen(first);
"""


def page_html() -> str:
    """The page: form.io and Bootstrap, no form until ``collaudoOpen(id)`` (or ``?form=``)."""
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>collaudo</title>'
        '<link rel="stylesheet" href="bootstrap/bootstrap.min.css">'
        '<link rel="stylesheet" href="formio/formio.full.min.css">'
        "<style>body{padding:1.5rem 2rem;max-width:60rem}</style></head><body>"
        '<h1 class="h3" id="titolo"></h1><p class="text-muted" id="sottotitolo"></p>'
        '<div id="formio"></div><div id="esito" role="status"></div>'
        '<ul id="errori-proxy" class="text-danger"></ul>'
        '<script src="formio/formio.full.min.js"></script>'
        f"<script>{_SCRIPT}</script></body></html>"
    )


@dataclass(frozen=True)
class FormToFill:
    """One form on the desk: the proxy it saves to, its schema, the page's words for it."""

    proxy_url: str
    token: str
    kind: ConfigKind
    schema: dict[str, Any]
    page: dict[str, Any]  # title, subtitle, texts, formio options, language


def _page_words(kind: ConfigKind, schema: dict[str, Any]) -> dict[str, Any]:
    """The page's words for a form, in the current language (the schema's)."""
    # form.io's own words around the proxy's fields (error summary, file drop zone).
    formio = {
        "language": language(),
        "i18n": {
            language(): {
                "error": _("Please fix the following errors before saving."),
                "submitError": _("Please check the form and correct all errors before saving."),
                "Drop files to attach,": _("Drop files to attach,"),
                "or": _("or"),
                "browse": _("browse"),
            }
        },
    }
    return {
        "title": str(schema.get("title") or f"{kind} configuration"),
        "subtitle": _("Payment proxy administration (collaudo)"),
        "texts": {
            "saved": _("Configuration saved (HTTP %(status)s)."),
            "refused": _("The proxy refused the configuration (HTTP %(status)s): "),
        },
        "formio": formio,
        "language": language(),
    }


class FormDesk:
    """The operator's desk: one page, any number of forms registered and opened in turn.

    Forms are registered (:meth:`add`) under an unguessable id; the page opens one with
    ``collaudoOpen(id)`` and posts its submission to ``forms/{id}/submit``, which this
    server forwards to that form's proxy with its token (never sent to the page).
    """

    def __init__(self, assets: FormioAssets) -> None:
        self.assets = assets
        self.forms: dict[str, FormToFill] = {}
        self.url = ""  # where it is served, once it is

    def form_url(self, ident: str) -> str:
        """The page showing form ``ident`` once loaded."""
        return f"{self.url}?form={ident}"

    def add(self, proxy_url: str, token: str, kind: ConfigKind, schema: dict[str, Any]) -> str:
        """Register a form (its words in the current language); its id."""
        ident = secrets.token_hex(8)
        self.forms[ident] = FormToFill(proxy_url, token, kind, schema, _page_words(kind, schema))
        return ident

    def remove(self, ident: str) -> None:
        self.forms.pop(ident, None)

    def _form(self, request: Request) -> FormToFill:
        try:
            return self.forms[request.path_params["ident"]]
        except KeyError:
            raise HTTPException(404, "no such form on this desk") from None

    def app(self) -> Starlette:
        """The page, each form's schema and words, the renderer's files, ``submit``."""

        async def index(request: Request) -> Response:
            return HTMLResponse(page_html())

        async def form_json(request: Request) -> Response:
            form = self._form(request)
            return JSONResponse({"schema": form.schema, **form.page})

        async def submit(request: Request) -> Response:
            form = self._form(request)
            data = await request.json()
            async with httpx.AsyncClient(timeout=15, verify=default_tls()) as http:
                answer = await http.post(
                    f"{form.proxy_url}/{form.kind}s",
                    json=data,
                    headers={"Authorization": f"Bearer {form.token}"},
                )
            try:
                body: Any = answer.json()
            except json.JSONDecodeError:
                body = {"detail": answer.text[:500]}
            return JSONResponse({"status": answer.status_code, "body": body})

        return Starlette(
            routes=[
                Route("/", index),
                Route("/forms/{ident}/form.json", form_json),
                Route("/forms/{ident}/submit", submit, methods=["POST"]),
                Mount("/formio", StaticFiles(directory=self.assets.formio_dist)),
                Mount("/bootstrap", StaticFiles(directory=self.assets.bootstrap_css)),
            ]
        )


@contextlib.asynccontextmanager
async def serving_desk(
    assets: FormioAssets, host: str = "127.0.0.1"
) -> AsyncIterator[tuple[FormDesk, str]]:
    """Serve a desk on a free loopback port in this event loop; yields it and its URL."""
    desk = FormDesk(assets)
    sock = bind_socket(host)
    port = bound_port(sock)
    server = PromptServer(make_config(desk.app(), host, port))  # stops at once, no 0.1-0.3 s tick
    task = asyncio.create_task(serve(server, sock), name="formio-desk")
    while not server.started:
        if task.done():
            sock.close()
            task.result()  # raises why it could not start
            raise RuntimeError(f"the form page on {host}:{port} stopped before it started")
        await asyncio.sleep(0.01)
    url = desk.url = f"http://{host}:{port}/"
    logger.info("form.io admin page listening on %s", url)
    try:
        yield desk, url
    finally:
        server.exit()
        await task


@contextlib.asynccontextmanager
async def serving_form_page(
    proxy_url: str,
    token: str,
    kind: ConfigKind,
    schema: dict[str, Any],
    assets: FormioAssets,
    host: str = "127.0.0.1",
) -> AsyncIterator[str]:
    """Serve one form on a desk of its own; yields the URL of the page showing it."""
    async with serving_desk(assets, host) as (desk, url):
        yield desk.form_url(desk.add(proxy_url, token, kind, schema))
