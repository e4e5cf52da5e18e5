"""A small admin page on loopback that renders a form.io schema with the real renderer.

``GET /`` is the page: Bootstrap 4 and form.io's CSS, ``formio.full.min.js``, and a
script that calls ``Formio.createForm`` on the schema (``GET /schema.json``). On
form.io's ``submit`` event the page posts ``submission.data`` to ``POST /submit``; this
server forwards it to the proxy's ``POST /{kind}s`` with the bearer token (the token
stays here, never in the page) and the page shows the proxy's answer:

- ``#esito[data-status]`` — the proxy's HTTP status, the body in ``data-body``;
- ``ul#errori-proxy li[data-field]`` — each field error of a 4xx problem.

``body[data-ready]`` appears once the form is rendered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from html import escape
from typing import Any, Literal

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from collaudo.formio.install import FormioAssets
from collaudo.i18n import gettext as _
from collaudo.i18n import language, use_language
from collaudo.tls import default_tls
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
fetch('schema.json')
  .then((r) => r.json())
  .then((schema) => Formio.createForm(document.getElementById('formio'), schema, FORMIO))
  .then((form) => {
    window.collaudoForm = form;
    form.on('submit', (submission) => {
      fetch('submit', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify(submission.data),
      })
        .then((r) => r.json())
        .then((answer) => show(form, answer))
        .catch((e) => show(form, {status: 599, body: {detail: String(e)}}));
    });
    document.body.dataset.ready = 'true';
  })
  .catch((e) => { document.body.dataset.failed = String(e); });
"""


def page_html(title: str) -> str:
    """The page, in the current language (the one the schema was rendered in)."""
    texts = {
        "saved": _("Configuration saved (HTTP %(status)s)."),
        "refused": _("The proxy refused the configuration (HTTP %(status)s): "),
    }
    # json.dumps escapes nothing HTML-special by default: "</" is enough to end a script.
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
    subtitle = _("Payment proxy administration (collaudo)")
    script = f"const TEXT = {json.dumps(texts)}; const FORMIO = {json.dumps(formio)};"
    script = script.replace("</", "<\\/") + _SCRIPT
    return (
        f'<!doctype html><html lang="{language()}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="bootstrap/bootstrap.min.css">'
        '<link rel="stylesheet" href="formio/formio.full.min.css">'
        "<style>body{padding:1.5rem 2rem;max-width:60rem}</style></head><body>"
        f'<h1 class="h3">{escape(title)}</h1>'
        f'<p class="text-muted">{escape(subtitle)}</p>'
        '<div id="formio"></div><div id="esito" role="status"></div>'
        '<ul id="errori-proxy" class="text-danger"></ul>'
        '<script src="formio/formio.full.min.js"></script>'
        f"<script>{script}</script></body></html>"
    )


def create_app(
    proxy_url: str, token: str, kind: ConfigKind, schema: dict[str, Any], assets: FormioAssets
) -> Starlette:
    """The page, the schema, the renderer's files and the forwarding ``/submit``."""
    title = str(schema.get("title") or f"{kind} configuration")
    lang = language()  # the page speaks the language its schema was rendered in

    async def index(request: Request) -> Response:
        with use_language(lang):
            return HTMLResponse(page_html(title))

    async def schema_json(request: Request) -> Response:
        return JSONResponse(schema)

    async def submit(request: Request) -> Response:
        data = await request.json()
        async with httpx.AsyncClient(timeout=15, verify=default_tls()) as http:
            answer = await http.post(
                f"{proxy_url}/{kind}s", json=data, headers={"Authorization": f"Bearer {token}"}
            )
        try:
            body: Any = answer.json()
        except json.JSONDecodeError:
            body = {"detail": answer.text[:500]}
        return JSONResponse({"status": answer.status_code, "body": body})

    return Starlette(
        routes=[
            Route("/", index),
            Route("/schema.json", schema_json),
            Route("/submit", submit, methods=["POST"]),
            Mount("/formio", StaticFiles(directory=assets.formio_dist)),
            Mount("/bootstrap", StaticFiles(directory=assets.bootstrap_css)),
        ]
    )


@contextlib.asynccontextmanager
async def serving_form_page(
    proxy_url: str,
    token: str,
    kind: ConfigKind,
    schema: dict[str, Any],
    assets: FormioAssets,
    host: str = "127.0.0.1",
) -> AsyncIterator[str]:
    """Serve the page on a free loopback port in this event loop; yields its URL."""
    sock = bind_socket(host)
    port = bound_port(sock)
    app = create_app(proxy_url, token, kind, schema, assets)
    server = PromptServer(make_config(app, host, port))  # no 0.1-0.3 s of idle at its stop
    task = asyncio.create_task(serve(server, sock), name="formio-page")
    while not server.started:
        if task.done():
            sock.close()
            task.result()  # raises why it could not start
            raise RuntimeError(f"the form page on {host}:{port} stopped before it started")
        await asyncio.sleep(0.01)
    url = f"http://{host}:{port}/"
    logger.info("form.io admin page for the %s form listening on %s", kind, url)
    try:
        yield url
    finally:
        server.exit()
        await task
