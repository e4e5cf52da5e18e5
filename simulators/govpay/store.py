"""The simulator's memory: pendenze by (idA2A, idPendenza), by avviso and by IUV.

One re-entrant lock guards every change: the station side runs in Starlette's thread pool
while the REST side runs on the event loop. Each pendenza keeps the last exchanges that
touched it (REST call, paForNode primitive, notification) for ``/_admin/positions`` and
the backoffice.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from simulators.common.heap import LongLived
from simulators.govpay.ente import Ente, check_new, check_update
from simulators.govpay.errors import business, not_found, syntax
from simulators.govpay.model import Pendenza
from simulators.govpay.numbering import iuv_of

MAX_EXCHANGES = 100
Key = tuple[str, str]  # (idA2A, idPendenza)
PATCH_PATHS = ("/descrizioneStato", "/stato", "/ack", "/nota")


#: What the simulator was sent stays until it stops: out of the GC's full passes.
LONG_LIVED = LongLived()


class Clock:
    """GovPay's wall clock (local time, no offset), shiftable for tests and demos."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0) + self.offset

    def today(self) -> date:
        return self.now().date()


@dataclass
class Exchange:
    at: datetime
    channel: str  # "rest" | "paForNode" | "notifica"
    operation: str
    outcome: str

    def to_dict(self) -> dict[str, str]:
        return {
            "at": self.at.isoformat(),
            "channel": self.channel,
            "operation": self.operation,
            "outcome": self.outcome,
        }


class Store:
    """Every pendenza of every ente the simulator serves."""

    def __init__(self, enti: Iterable[Ente], clock: Clock) -> None:
        self.enti = {ente.id_dominio: ente for ente in enti}
        self.clock = clock
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.pendenze: dict[Key, Pendenza] = {}
            self.by_iuv: dict[tuple[str, str], Key] = {}  # (idDominio, iuv) -> key
            self.sequences: dict[str, int] = {}
            self.exchanges: dict[Key, deque[Exchange]] = {}

    def record(self, key: Key, channel: str, operation: str, outcome: str) -> None:
        with self.lock:
            log = self.exchanges.setdefault(key, deque(maxlen=MAX_EXCHANGES))
            log.append(Exchange(self.clock.now(), channel, operation, outcome))

    # --- reading -------------------------------------------------------------------------------

    def get(self, id_a2a: str, id_pendenza: str) -> Pendenza:
        pendenza = self.pendenze.get((id_a2a, id_pendenza))
        if pendenza is None:
            raise not_found(f"Pendenza (IdA2A:{id_a2a}, Id:{id_pendenza}) inesistente")
        return pendenza

    def by_avviso(self, id_dominio: str, numero_avviso: str) -> Pendenza | None:
        try:
            iuv = iuv_of(numero_avviso)
        except ValueError:
            return None
        return self.by_dominio_iuv(id_dominio, iuv)

    def by_dominio_iuv(self, id_dominio: str, iuv: str) -> Pendenza | None:
        key = self.by_iuv.get((id_dominio, iuv))
        return self.pendenze.get(key) if key is not None else None

    def all(self) -> list[Pendenza]:
        with self.lock:
            return list(self.pendenze.values())

    # --- writing -------------------------------------------------------------------------------

    def upsert(self, new: Pendenza) -> tuple[Pendenza, bool]:
        """GovPay's ``caricaVersamento``: the stored pendenza and whether it was created."""
        with self.lock:
            ente = check_new(new, self.enti.get(new.id_dominio))
            key = (new.id_a2a, new.id_pendenza)
            old = self.pendenze.get(key)
            if old is not None:
                check_update(old, new)
                new.numero_avviso = new.numero_avviso or old.numero_avviso
                new.data_caricamento = old.data_caricamento
                new.uuid = old.uuid
            elif new.numero_avviso is not None:
                other = self.by_avviso(new.id_dominio, new.numero_avviso)
                if other is not None:
                    raise business(
                        "VER_025",
                        f"La pendenza (IdA2A:{new.id_a2a}, Id:{new.id_pendenza}) ha un numero "
                        f"avviso ({new.numero_avviso}) gia' utilizzato (IdA2A:{other.id_a2a}, "
                        f"Id:{other.id_pendenza}).",
                    )
            else:
                new.numero_avviso = self._next_numero(ente)
            assert new.numero_avviso is not None
            if new.uuid is None:  # GovPay's idSessione: drawn at creation, kept on updates
                new.uuid = uuid.uuid4().hex
            self.pendenze[key] = new
            self.by_iuv[(new.id_dominio, iuv_of(new.numero_avviso))] = key
            self.record(
                key, "rest", "PUT pendenza", "201 creata" if old is None else "200 aggiornata"
            )
        LONG_LIVED.added()
        return new, old is None

    def _next_numero(self, ente: Ente) -> str:
        while True:
            sequence = self.sequences.get(ente.id_dominio, 0) + 1
            self.sequences[ente.id_dominio] = sequence
            numero = ente.numbering.numero_avviso(sequence)
            if self.by_avviso(ente.id_dominio, numero) is None:  # skip numbers given by clients
                return numero

    def patch(self, id_a2a: str, id_pendenza: str, ops: Any) -> Pendenza:
        """GovPay's ``PendenzeDAO.patch``: ops on /stato, /descrizioneStato, /ack, /nota."""
        if not isinstance(ops, list) or not ops:
            raise syntax("il corpo deve essere una lista non vuota di PatchOp {op, path, value}")
        with self.lock:
            pendenza = self.get(id_a2a, id_pendenza)
            stato, descrizione = pendenza.base_stato, pendenza.descrizione_stato
            for op in ops:
                stato, descrizione = _apply(op, stato, descrizione)
            pendenza.base_stato, pendenza.descrizione_stato = stato, descrizione
            self.record((id_a2a, id_pendenza), "rest", "PATCH pendenza", f"200 {stato}")
            return pendenza


def _apply(op: Any, stato: str, descrizione: str | None) -> tuple[str, str | None]:
    if not isinstance(op, dict) or not {"op", "path"} <= set(op):
        raise syntax("ogni PatchOp deve avere op, path e value")
    verb, path, value = op["op"], op["path"], op.get("value")
    if verb not in ("ADD", "DELETE", "REPLACE"):
        raise syntax(f"op {verb!r} non valida: ADD, DELETE o REPLACE (in maiuscolo)")
    if path not in PATCH_PATHS:
        raise syntax(f"Path '{path}' non valido: ammessi {', '.join(PATCH_PATHS)}")
    if path == "/nota":
        if verb != "ADD":
            raise syntax(f"Op '{verb}' non valida per il path '{path}'")
        if not isinstance(value, dict):
            raise syntax("Valore non valido per il path '/nota': atteso un oggetto nota")
        return stato, value.get("testo") if isinstance(value.get("testo"), str) else descrizione
    if verb != "REPLACE":
        raise syntax(f"Op '{verb}' non valida per il path '{path}'")
    if path == "/ack":
        return stato, descrizione
    if not isinstance(value, str) or not value:
        raise syntax(f"Valore non valido per il path '{path}'")
    if path == "/descrizioneStato":
        return stato, value
    if value == "ANNULLATA":
        if stato not in ("NON_ESEGUITA", "ANNULLATA"):
            raise syntax(
                "Non e' consentito aggiornare lo stato di una pendenza ad ANNULLATO da uno stato "
                "diverso da NON_ESEGUITO o ANNULLATO"
            )
        return "ANNULLATA", descrizione
    if value == "NON_ESEGUITA":
        if stato != "ANNULLATA":
            raise syntax(
                "Non e' consentito aggiornare lo stato di una pendenza ad NON_ESEGUITO da uno "
                "stato diverso da ANNULLATO"
            )
        return "NON_ESEGUITA", descrizione
    raise syntax(f"Non e' consentito aggiornare lo stato di una pendenza ad {value}")
