"""The simulator's in-memory state: positions indexed by IUV, notice, IUD and session."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime

from simulators.common.heap import LongLived
from simulators.mypay.iuv import IuvGenerator
from simulators.mypay.model import Creditor, Debtor, Exchange, Item, Position, Session

#: What the simulator was sent stays until it stops: out of the GC's full passes.
LONG_LIVED = LongLived()


def now() -> datetime:
    return datetime.now(UTC)


class DuplicateIud(Exception):
    """An IUD already belongs to a position of this creditor."""

    def __init__(self, iud: str, position: Position) -> None:
        super().__init__(f"IUD [{iud}] gia' inviato (IUV {position.iuv})")
        self.iud = iud
        self.position = position


class Store:
    """Creditors and their positions; every method is thread-safe."""

    def __init__(self, creditors: Iterable[Creditor]) -> None:
        self.creditors = {c.cod_ipa: c for c in creditors}
        self.by_fiscal_code = {c.fiscal_code: c for c in self.creditors.values()}
        self.lock = threading.RLock()
        self._generators = {
            c.cod_ipa: IuvGenerator(c.segregation_code) for c in self.creditors.values()
        }
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self._by_iuv: dict[tuple[str, str], Position] = {}
            self._by_iud: dict[tuple[str, str], Position] = {}
            self._sessions: dict[str, Session] = {}
            self._order: list[Position] = []

    # --- creation --------------------------------------------------------------------------

    def create(
        self,
        creditor: Creditor,
        debtor: Debtor,
        items: list[Item],
        due_date: date | None,
        origin: str,
        iuv: str | None = None,
    ) -> Position:
        """A new position; :class:`DuplicateIud` when one of its IUDs is already used.

        The IUD check and the insertion happen under one lock, so two concurrent
        imports of the same IUD never create two positions.
        """
        with self.lock:
            for item in items:
                existing = self._by_iud.get((creditor.cod_ipa, item.iud))
                if existing is not None:
                    raise DuplicateIud(item.iud, existing)
            if iuv is None:
                iuv = self._generators[creditor.cod_ipa].next()
            elif (creditor.cod_ipa, iuv) in self._by_iuv:
                raise ValueError(f"IUV [{iuv}] gia' inviato per ente [{creditor.cod_ipa}]")
            at = now()
            position = Position(creditor, iuv, debtor, list(items), due_date, origin, at, at)
            self._by_iuv[(creditor.cod_ipa, iuv)] = position
            for item in items:
                self._by_iud[(creditor.cod_ipa, item.iud)] = position
            self._order.append(position)
        LONG_LIVED.added()
        return position

    def replace_items(
        self, position: Position, items: list[Item], debtor: Debtor, due_date: date | None
    ) -> None:
        """Azione M: new amount/causale/debtor for the same IUV."""
        with self.lock:
            for item in position.items:
                self._by_iud.pop((position.creditor.cod_ipa, item.iud), None)
            position.items = list(items)
            position.debtor = debtor
            position.due_date = due_date
            for item in items:
                self._by_iud[(position.creditor.cod_ipa, item.iud)] = position
            position.touch(now())

    # --- look-ups --------------------------------------------------------------------------

    def by_iuv(self, cod_ipa: str, iuv: str) -> Position | None:
        return self._by_iuv.get((cod_ipa, iuv))

    def by_iud(self, cod_ipa: str, iud: str) -> Position | None:
        return self._by_iud.get((cod_ipa, iud))

    def by_notice(self, fiscal_code: str, notice_number: str) -> Position | None:
        creditor = self.by_fiscal_code.get(fiscal_code)
        if creditor is None or len(notice_number) != 18 or not notice_number.startswith("3"):
            return None
        return self._by_iuv.get((creditor.cod_ipa, notice_number[1:]))

    def session(self, id_session: str) -> Session | None:
        return self._sessions.get(id_session)

    def open_session(self, position: Position, return_url: str | None) -> Session:
        """A new ``idSession`` for paying ``position`` online."""
        session = Session(
            secrets.token_hex(16),
            position.creditor.cod_ipa,
            position.iuv,
            now(),
            return_url or None,
        )
        with self.lock:
            self._sessions[session.id] = session
            position.sessions.append(session.id)
        return session

    def positions(self) -> list[Position]:
        with self.lock:
            return list(self._order)

    def open_positions(self, cod_ipa: str | None, debtor_fiscal_code: str) -> list[Position]:
        """Unpaid positions of a debtor (``paaSILChiediPosizioniAperte``)."""
        wanted = debtor_fiscal_code.upper()
        with self.lock:
            return [
                p
                for p in self._order
                if p.state in ("DA_PAGARE", "IN_CORSO", "NON_PAGATO")
                and p.debtor.fiscal_code.upper() == wanted
                and (cod_ipa is None or p.creditor.cod_ipa == cod_ipa)
            ]

    def record(self, position: Position, exchange: Exchange) -> None:
        with self.lock:
            position.record(exchange)
