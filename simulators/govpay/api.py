"""API Pendenze v2 (``/govpay/backend/api/pendenze/rs/{basic|apikey}/v2``), as GovPay answers.

- ``PUT /pendenze/{idA2A}/{idPendenza}[?stampaAvviso=true]``: idempotent upsert, **201** on
  creation and 200 on update, ``PendenzaCreata`` (+ base64 ``pdf``, never for a bollo);
- ``PATCH`` (or ``POST`` + ``X-HTTP-Method-Override: PATCH``) the same path: JSON Patch-like
  ops, ``application/json`` or ``application/json-patch+json``; 200 + the ``Pendenza``;
- ``GET /pendenze/{idA2A}/{idPendenza}``, ``GET /pendenze/byAvviso/{idDominio}/{numeroAvviso}``,
  ``GET /pendenze?idDominio=&idDebitore=&stato=&idPendenza=&pagina=&risultatiPerPagina=``;
- ``GET /avvisi/{idDominio}/{numeroAvviso}``: the first ``Accept`` value decides (substring):
  ``application/pdf`` -> PDF, ``application/json`` -> ``Avviso`` (SCONOSCIUTA when
  unknown), anything else or none -> 406;
- ``GET /rpp?idA2A=&idPendenza=`` and ``GET /rpp/{idDominio}/{iuv}/{ccp}/rt``:
  ``application/octet-stream`` -> raw XML, ``application/pdf``, ``application/json`` (also
  without ``Accept``), anything else -> XML as ``text/xml``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from simulators.govpay import render
from simulators.govpay.documents import notice_pdf, receipt_pdf
from simulators.govpay.errors import (
    GovPayError,
    business,
    forbidden,
    not_acceptable,
    not_found,
    syntax,
)
from simulators.govpay.gate import Gate
from simulators.govpay.model import ID_PATTERN, Pendenza, Rpp, read_nuova_pendenza
from simulators.govpay.store import Store

BASE = "/govpay/backend/api/pendenze/rs/{auth}/v2"
MAX_PER_PAGE = 200
LINGUE = ("false", "de", "en", "fr", "sl")
STATI = (
    "ESEGUITA",
    "NON_ESEGUITA",
    "ESEGUITA_PARZIALE",
    "ANNULLATA",
    "SCADUTA",
    "ANOMALA",
    "INCASSATA",
)


def json_response(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


async def read_json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise syntax(f"il corpo non e' JSON valido: {exc}") from None


def first_accept(request: Request) -> str | None:
    """GovPay looks only at the first Accept header, lower-cased (substring matches)."""
    values = request.headers.getlist("accept")
    return values[0].lower() if values else None


def page_params(request: Request) -> tuple[int, int]:
    try:
        pagina = int(request.query_params.get("pagina", "1"))
        per_page = int(request.query_params.get("risultatiPerPagina", "25"))
    except ValueError:
        raise syntax("pagina e risultatiPerPagina devono essere interi") from None
    if pagina < 1 or not 0 <= per_page <= MAX_PER_PAGE:
        raise syntax(f"pagina >= 1 e risultatiPerPagina tra 0 e {MAX_PER_PAGE}")
    return pagina, per_page


def paged(items: list[Any], request: Request) -> dict[str, Any]:
    """GovPay's ``Lista`` of ``items``: counts, page, ``prossimiRisultati`` and ``risultati``."""
    pagina, per_page = page_params(request)
    pages = (len(items) + per_page - 1) // per_page if per_page else 1
    body: dict[str, Any] = {
        "numRisultati": len(items),
        "numPagine": pages,
        "risultatiPerPagina": per_page,
        "pagina": pagina,
    }
    if pagina < pages:
        query = dict(request.query_params) | {"pagina": str(pagina + 1)}
        body["prossimiRisultati"] = (
            request.url.path.split("/v2", 1)[-1]
            + "?"
            + "&".join(f"{k}={v}" for k, v in query.items())
        )
    start = (pagina - 1) * per_page
    body["risultati"] = items[start : start + per_page] if per_page else []
    return body


class PendenzeApi:
    """The API Pendenze v2 handlers over one :class:`Store`."""

    def __init__(self, store: Store, gate: Gate) -> None:
        self.store = store
        self.gate = gate

    def routes(self) -> list[BaseRoute]:
        api = self.gate.api
        return [
            Route(f"{BASE}/pendenze", api(self.find, "status"), methods=["GET"]),
            Route(
                f"{BASE}/pendenze/byAvviso/{{idDominio}}/{{numeroAvviso}}",
                api(self.get_by_avviso, "status"),
                methods=["GET"],
            ),
            Route(
                f"{BASE}/pendenze/{{idA2A}}/{{idPendenza}}",
                api(self.put, "create"),
                methods=["PUT"],
            ),
            Route(
                f"{BASE}/pendenze/{{idA2A}}/{{idPendenza}}",
                api(self.get, "status"),
                methods=["GET"],
            ),
            Route(
                f"{BASE}/pendenze/{{idA2A}}/{{idPendenza}}",
                api(self.patch, "status"),
                methods=["PATCH", "POST"],
            ),
            Route(
                f"{BASE}/avvisi/{{idDominio}}/{{numeroAvviso}}",
                api(self.avviso, "notice"),
                methods=["GET"],
            ),
            Route(f"{BASE}/rpp", api(self.find_rpp, "status"), methods=["GET"]),
            Route(
                f"{BASE}/rpp/{{idDominio}}/{{iuv}}/{{ccp}}/rt",
                api(self.rt, "receipt"),
                methods=["GET"],
            ),
        ]

    # --- helpers -------------------------------------------------------------------------------

    def _ids(self, request: Request) -> tuple[str, str]:
        id_a2a, id_pendenza = request.path_params["idA2A"], request.path_params["idPendenza"]
        for name, value in (("idA2A", id_a2a), ("idPendenza", id_pendenza)):
            if not ID_PATTERN.match(value):
                raise syntax(f"{name}: {value!r} non rispetta il pattern {ID_PATTERN.pattern}")
        return id_a2a, id_pendenza

    def _own(self, request: Request, pendenza: Pendenza) -> Pendenza:
        if pendenza.id_a2a != request.state.principal:
            raise forbidden(
                f"L'applicazione {request.state.principal} non e' autorizzata a leggere le "
                f"pendenze di {pendenza.id_a2a}"
            )
        return pendenza

    def _render(self, pendenza: Pendenza) -> dict[str, Any]:
        return render.pendenza(pendenza, self.store.clock.today(), self.store.enti)

    # --- pendenze ------------------------------------------------------------------------------

    async def put(self, request: Request) -> Response:
        id_a2a, id_pendenza = self._ids(request)
        if id_a2a != request.state.principal:
            raise business(
                "APP_002",
                f"Applicazione autenticata ({request.state.principal}) diversa dalla chiamante "
                f"({id_a2a})",
            )
        stampa = request.query_params.get("stampaAvviso", "false").lower()
        if stampa not in ("true", "false"):
            raise syntax("stampaAvviso: atteso true o false")
        avvisatura = request.query_params.get("dataAvvisatura")
        if avvisatura is not None and avvisatura != "MAI" and not _is_date(avvisatura):
            raise syntax("dataAvvisatura: MAI oppure una data YYYY-MM-DD")
        body = await read_json(request)
        new = read_nuova_pendenza(body, id_a2a, id_pendenza, self.store.clock.today())
        pendenza, created = self.store.upsert(new)
        pdf = None
        if stampa == "true" and not any(v.bollo for v in pendenza.voci):
            pdf = notice_pdf(pendenza, self.store.enti[pendenza.id_dominio].ragione_sociale)
        # GovPay answers 201 on creation though the file declares only 200 (see defects).
        return json_response(render.pendenza_creata(pendenza, pdf), 201 if created else 200)

    async def get(self, request: Request) -> Response:
        pendenza = self._own(request, self.store.get(*self._ids(request)))
        return json_response(self._render(pendenza))

    async def get_by_avviso(self, request: Request) -> Response:
        id_dominio = request.path_params["idDominio"]
        numero = request.path_params["numeroAvviso"]
        pendenza = self.store.by_avviso(id_dominio, numero)
        if pendenza is None:
            raise not_found(
                f"Pendenza con numero avviso {numero} del dominio {id_dominio} inesistente"
            )
        return json_response(self._render(self._own(request, pendenza)))

    async def patch(self, request: Request) -> Response:
        if request.method == "POST":
            override = request.headers.get("x-http-method-override", "").upper()
            if override != "PATCH":
                raise GovPayError(
                    405,
                    "RICHIESTA",
                    "405",
                    "Metodo non consentito",
                    "POST su una pendenza richiede X-HTTP-Method-Override: PATCH",
                )
        id_a2a, id_pendenza = self._ids(request)
        self._own(request, self.store.get(id_a2a, id_pendenza))
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in ("application/json", "application/json-patch+json"):
            raise GovPayError(
                415,
                "RICHIESTA",
                "415",
                "Formato non supportato",
                "Content-Type: application/json o application/json-patch+json",
            )
        pendenza = self.store.patch(id_a2a, id_pendenza, await read_json(request))
        return json_response(self._render(pendenza))

    async def find(self, request: Request) -> Response:
        q = request.query_params
        stato = q.get("stato")
        if stato is not None and stato not in STATI:
            raise syntax(f"stato: uno tra {', '.join(STATI)}")
        today = self.store.clock.today()
        found = [
            p
            for p in self.store.all()
            if p.id_a2a == request.state.principal
            and q.get("idA2A", p.id_a2a) == p.id_a2a
            and q.get("idPendenza", p.id_pendenza) == p.id_pendenza
            and q.get("idDominio", p.id_dominio) == p.id_dominio
            and q.get("idDebitore", p.soggetto["identificativo"]) == p.soggetto["identificativo"]
            and (stato is None or p.stato(today) == stato)
        ]
        found.sort(key=lambda p: (p.data_caricamento, p.id_pendenza), reverse=True)
        items = [render.pendenza_index(p, today, self.store.enti) for p in found]
        return json_response(paged(items, request))

    # --- avvisi --------------------------------------------------------------------------------

    async def avviso(self, request: Request) -> Response:
        id_dominio = request.path_params["idDominio"]
        numero = request.path_params["numeroAvviso"]
        accept = first_accept(request) or ""
        lingua = request.query_params.get("linguaSecondaria")
        if lingua is not None and lingua not in LINGUE:
            raise syntax(
                f"Codifica inesistente per linguaSecondaria. Valore fornito [{lingua}] valori "
                f"possibili {{{','.join(LINGUE)}}}"
            )
        pendenza = self.store.by_avviso(id_dominio, numero)
        if pendenza is not None and ("application/pdf" in accept or "application/json" in accept):
            self._own(request, pendenza)  # another application's notice: 403, as GovPay
        if "application/pdf" in accept:
            if pendenza is None:
                raise not_found(f"Avviso {numero} del dominio {id_dominio} inesistente")
            pdf = notice_pdf(pendenza, self.store.enti[pendenza.id_dominio].ragione_sociale)
            filename = f"{id_dominio}_{numero}.pdf"
            return Response(
                pdf,
                media_type="application/pdf",
                headers={"content-disposition": f'attachment; filename="{filename}"'},
            )
        if "application/json" in accept:
            body = render.avviso(pendenza, id_dominio, numero, self.store.clock.today())
            return json_response(body)
        raise not_acceptable(
            "Avviso di pagamento non disponibile nel formato indicato nell'header Accept, "
            f"ricevuto: '{accept}', consentiti: {{'application/pdf','application/json'}}"
        )

    # --- rpp -----------------------------------------------------------------------------------

    def _rpp(self, request: Request) -> tuple[Pendenza, Rpp]:
        id_dominio, iuv, ccp = (request.path_params[k] for k in ("idDominio", "iuv", "ccp"))
        pendenza = self.store.by_dominio_iuv(id_dominio, iuv)
        for rpp in pendenza.rpps if pendenza is not None else []:
            if rpp.ccp == ccp and pendenza is not None:
                return self._own(request, pendenza), rpp
        raise not_found(f"Ricevuta {id_dominio}/{iuv}/{ccp} inesistente")

    async def rt(self, request: Request) -> Response:
        pendenza, rpp = self._rpp(request)
        accept = first_accept(request)
        if accept is None or (
            "application/json" in accept
            and "application/octet-stream" not in accept
            and "application/pdf" not in accept
        ):
            return json_response(rpp.rt_json)
        if "application/octet-stream" in accept:
            return Response(rpp.rt_xml, media_type="application/octet-stream")
        if "application/pdf" in accept:
            name = f"{pendenza.id_dominio}_{rpp.iuv}_{rpp.ccp}.pdf"
            pdf = receipt_pdf(pendenza, rpp, self.store.enti[pendenza.id_dominio].ragione_sociale)
            return Response(
                pdf,
                media_type="application/pdf",
                headers={"content-disposition": f'attachment; filename="{name}"'},
            )
        return Response(rpp.rt_xml, media_type="text/xml")

    async def find_rpp(self, request: Request) -> Response:
        q = request.query_params
        today = self.store.clock.today()
        items: list[dict[str, Any]] = []
        for p in self.store.all():
            if p.id_a2a != request.state.principal:
                continue
            if (
                q.get("idA2A", p.id_a2a) != p.id_a2a
                or q.get("idPendenza", p.id_pendenza) != p.id_pendenza
            ):
                continue
            index = render.pendenza_index(p, today, self.store.enti)
            items.extend(render.rpp_index(r, index) for r in p.rpps)
        return json_response(paged(items, request))


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
