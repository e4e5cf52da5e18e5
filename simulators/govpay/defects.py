"""Where GovPay (3.9.1) and its own published files disagree: the one list the simulator knows.

The simulator behaves as GovPay does and lists each disagreement here; ``/status`` shows the
list, and the contract tests read each entry's ``fix`` to relax the official file exactly
there (and nowhere else) before checking answers against it. Each was checked against
GovPay's source (link-it/govpay at 3.9.1) or its saved files (PROVENANCE.md).

``fix`` kinds (:class:`simulators.common.openapi_files.SpecFix`, whose loader applies
them): ``status`` (an answer the operation does not declare: ``value`` = status, media type,
schema pointer or None), ``media`` (a declared status answered with another media type),
``drop-required`` (a required property GovPay never sends), ``pattern`` / ``format`` (a
constraint GovPay's own values break), ``yaml`` and ``ref`` (files that do not load as
published).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from simulators.common.openapi_files import SpecFix as Fix

PENDENZE = "govpay/api-pendenze-v2/govpay-api-pendenze-v2.yaml"
PAGAMENTO = "govpay/api-pagamento-v2/govpay-api-pagamento-v2.yaml"
ENTE_EC = "govpay/api-ente-v2/govpay-api-ec.yaml"
ENTE_SCHEMAS = "govpay/api-ente-v2/govpay-api-schemas.yaml"
RAGIONERIA = "govpay/api-ragioneria-v3/govpay-api-ragioneria.yaml"
RAGIONERIA_SCHEMAS = "govpay/api-ragioneria-v3/govpay-api-schemas.yaml"
FAULT_BEAN = "#/components/schemas/FaultBean"


@dataclass(frozen=True)
class DocumentationDefect:
    id: str
    file: str
    where: str
    documented: str
    govpay: str
    fixes: tuple[Fix, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _required(schema_file: str, schema: str, prop: str) -> Fix:
    return Fix("drop-required", f"{schema_file}#/components/schemas/{schema}", prop)


DEFECTS: tuple[DocumentationDefect, ...] = (
    DocumentationDefect(
        "put-201",
        PENDENZE,
        "PUT /pendenze/{idA2A}/{idPendenza}",
        "declares only 200 (PendenzaCreata)",
        "answers 201 with PendenzaCreata when the pendenza is created, 200 when it is updated",
        (
            Fix(
                "status",
                "PUT /pendenze/{idA2A}/{idPendenza}",
                ("201", "application/json", "#/components/schemas/PendenzaCreata"),
            ),
        ),
    ),
    DocumentationDefect(
        "business-422",
        PENDENZE,
        "PUT /pendenze/{idA2A}/{idPendenza}",
        "declares no 422",
        "business rules (VER_0xx, TVD_000, TRB_000, UOP_000, DOM_000) answer 422 with a "
        "FaultBean; DOM_002 answers 500",
        (
            Fix(
                "status",
                "PUT /pendenze/{idA2A}/{idPendenza}",
                ("422", "application/json", FAULT_BEAN),
            ),
        ),
    ),
    DocumentationDefect(
        "pagamenti-422",
        PAGAMENTO,
        "POST /pagamenti",
        "declares no 422",
        "an unknown, paid, annulled or expired pendenza answers 422 VER_010..013",
        (Fix("status", "POST /pagamenti", ("422", "application/json", FAULT_BEAN)),),
    ),
    DocumentationDefect(
        "patch-body",
        PENDENZE,
        "PATCH /pendenze/{idA2A}/{idPendenza}",
        "200 declares no content; the request body is application/json-patch+json",
        "answers 200 with the whole Pendenza as application/json, and reads the ops as "
        "application/json too",
        (
            Fix(
                "status",
                "PATCH /pendenze/{idA2A}/{idPendenza}",
                ("200", "application/json", "#/components/schemas/Pendenza"),
            ),
        ),
    ),
    DocumentationDefect(
        "avvisi-406",
        PENDENZE,
        "GET /avvisi/{idDominio}/{numeroAvviso}",
        "declares no 406",
        "an Accept other than application/pdf or application/json (or none) answers 406 "
        "RICHIESTA/406000",
        (
            Fix(
                "status",
                "GET /avvisi/{idDominio}/{numeroAvviso}",
                ("406", "application/json", FAULT_BEAN),
            ),
        ),
    ),
    DocumentationDefect(
        "get-400",
        PENDENZE,
        "GET /pendenze, /pendenze/{idA2A}/{idPendenza}, /pendenze/byAvviso/..., /avvisi/...",
        "declare no 400",
        "answers 400 RICHIESTA with a FaultBean when a path or query parameter is malformed "
        "(SINTASSI) or the idA2A is not the authenticated application (APP_002)",
        tuple(
            Fix("status", f"GET {path}", ("400", "application/json", FAULT_BEAN))
            for path in (
                "/pendenze",
                "/pendenze/{idA2A}/{idPendenza}",
                "/pendenze/byAvviso/{idDominio}/{numeroAvviso}",
                "/avvisi/{idDominio}/{numeroAvviso}",
            )
        ),
    ),
    DocumentationDefect(
        "rt-media",
        PENDENZE,
        "GET /rpp/{idDominio}/{iuv}/{ccp}/rt",
        "200 declares application/pdf, application/xml, application/json",
        "XML travels as text/xml; Accept: application/octet-stream returns the raw XML as "
        "application/octet-stream",
        (
            Fix("media", "GET /rpp/{idDominio}/{iuv}/{ccp}/rt 200", "text/xml"),
            Fix("media", "GET /rpp/{idDominio}/{iuv}/{ccp}/rt 200", "application/octet-stream"),
        ),
    ),
    DocumentationDefect(
        "error-media",
        PENDENZE,
        "error answers (Pendenze v2 500; Pagamento v2 400/500; ...)",
        "declared as application/problem+json, or with no content (Pendenze v2 400/401/403/404)",
        "every error is a FaultBean sent as application/json",
        (Fix("media", "* * error", "application/json"),),
    ),
    DocumentationDefect(
        "pendenza-index-pagamenti",
        PENDENZE,
        "#/components/schemas/PendenzaIndex",
        "requires pagamenti (URL of the payments)",
        "never sets it (PendenzeConverter.toRsIndexModel): list items and rpp[].pendenza lack it",
        (_required(PENDENZE, "PendenzaIndex/allOf/1", "pagamenti"),),
    ),
    DocumentationDefect(
        "date-time-offset",
        PENDENZE,
        "every format: date-time",
        "format date-time (RFC 3339: an offset is required)",
        "writes local date-times without offset (Jackson pattern yyyy-MM-dd'T'HH:mm:ss)",
        (Fix("format", "date-time", "local-date-time"),),
    ),
    DocumentationDefect(
        "ricevuta-stato",
        ENTE_SCHEMAS,
        "#/components/schemas/Ricevuta (also Ragioneria v3)",
        "requires stato, a property it does not define",
        "sends esito (EsitoRpp), never stato",
        (
            _required(ENTE_SCHEMAS, "Ricevuta", "stato"),
            _required(RAGIONERIA_SCHEMAS, "Ricevuta", "stato"),
        ),
    ),
    DocumentationDefect(
        "ricevuta-modello",
        ENTE_SCHEMAS,
        "#/components/schemas/Ricevuta (also Ragioneria v3)",
        "requires modello",
        "sets modello only when the receipt belongs to a GovPay payment session (RicevuteConverter:"
        " pagamentoPortale of tipo 1 or 3); payments started at a PSP, on the creditor's own "
        "Checkout cart or through POST /pagamenti towards pagoPA Checkout (idSession '0') have "
        "none",
        (
            _required(ENTE_SCHEMAS, "Ricevuta", "modello"),
            _required(RAGIONERIA_SCHEMAS, "Ricevuta", "modello"),
        ),
    ),
    DocumentationDefect(
        "ricevuta-pendenza-data-caricamento",
        ENTE_SCHEMAS,
        "#/components/schemas/Pendenza (Ricevuta.pendenza)",
        "requires dataCaricamento, a property it does not define",
        "PendenzePagateConverter never sets it",
        (
            _required(ENTE_SCHEMAS, "Pendenza", "dataCaricamento"),
            _required(RAGIONERIA_SCHEMAS, "Pendenza", "dataCaricamento"),
        ),
    ),
    DocumentationDefect(
        "voce-pagata-pendenza",
        ENTE_SCHEMAS,
        "#/components/schemas/VocePendenza (Ricevuta.pendenza.voci[])",
        "requires a nested pendenza in every voce",
        "PendenzePagateConverter never sets it",
        (
            _required(ENTE_SCHEMAS, "VocePendenza/allOf/1", "pendenza"),
            _required(RAGIONERIA_SCHEMAS, "VocePendenza/allOf/1", "pendenza"),
        ),
    ),
    DocumentationDefect(
        "riscossione-data",
        ENTE_SCHEMAS,
        "#/components/schemas/RiscossioneVocePagata/properties/data",
        "format date-time",
        "a date (Jackson pattern yyyy-MM-dd on RiscossioneVocePagata.getData)",
        (
            Fix(
                "format",
                f"{ENTE_SCHEMAS}#/components/schemas/RiscossioneVocePagata/properties/data",
                "date",
            ),
            Fix(
                "format",
                f"{RAGIONERIA_SCHEMAS}#/components/schemas/RiscossioneVocePagata/properties/data",
                "date",
            ),
        ),
    ),
    DocumentationDefect(
        "numero-avviso-pattern",
        ENTE_SCHEMAS,
        "#/components/schemas/NumeroAvviso",
        'pattern "[0-9]18" (a digit followed by the text 18)',
        "18 digits, as everywhere else (^[0-9]{18}$)",
        (
            Fix("pattern", f"{ENTE_SCHEMAS}#/components/schemas/NumeroAvviso", "^[0-9]{18}$"),
            Fix("pattern", f"{RAGIONERIA_SCHEMAS}#/components/schemas/NumeroAvviso", "^[0-9]{18}$"),
        ),
    ),
    DocumentationDefect(
        "ente-schemas-tab",
        ENTE_SCHEMAS,
        "line 893",
        "a TAB starts a line inside a folded description: strict YAML parsers reject the file",
        "GovPay's generator tolerates it; read with the TAB as spaces",
        (Fix("yaml", ENTE_SCHEMAS, "tab-indent"),),
    ),
    DocumentationDefect(
        "ragioneria-local-refs",
        RAGIONERIA,
        "#/components/schemas/TipoRiferimentoNuovaRiconciliazione",
        "two local $refs (RiferimentoIdentificativoUnivocoVersamento, "
        "RiferimentoIdentificativoFlussoRendicontazione) defined only in govpay-api-schemas.yaml",
        "resolved against the companion file",
        (Fix("ref", RAGIONERIA, "govpay-api-schemas.yaml"),),
    ),
)


def as_list() -> list[dict[str, Any]]:
    return [d.to_dict() for d in DEFECTS]
