"""The GovPay simulator's state as one object: store, station, notifier, clock, faults.

What the admin API (``reset``, ``positions``), ``/status`` and the backoffice read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from simulators.common.faults import FaultSpec, FaultState
from simulators.govpay import defects, render
from simulators.govpay.model import Pendenza, Rpp
from simulators.govpay.notifier import Notifier, RetryPolicy
from simulators.govpay.station import GovPayStation
from simulators.govpay.store import Clock, Store

if TYPE_CHECKING:
    from simulators.govpay.app import Settings


class GovPaySimulator:
    """The simulator's state, as the admin API sees it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.faults = FaultState("govpay")
        for spec in settings.faults:
            parsed = FaultSpec.parse(spec)
            self.faults.activate(parsed.name, rate=parsed.rate, seed=parsed.seed)
        self.clock = Clock()
        self.store = Store([settings.ente()], self.clock)
        policy = RetryPolicy(
            unit=settings.notification_retry_unit,
            cap=settings.notification_retry_cap,
            max_attempts=settings.notification_max_attempts,
            read_timeout=settings.notification_timeout,
        )
        self.connectors = settings.connectors()
        self.notifier = Notifier(
            self.faults, self.clock, policy, self.connectors, settings.late_notification_delay
        )
        self.station = GovPayStation(
            self.store,
            self.faults,
            self.notify,
            broker_id=settings.broker_id,
            station_id=settings.station_id,
            connectors=self.connectors,
            policy=policy,
            verify_mandatory=settings.verify_mandatory,
        )

    def notify(self, pendenza: Pendenza, rpp: Rpp) -> None:
        """After a receipt: queue its API Ente v2 notification."""
        body = render.ricevuta(pendenza, rpp, self.store.enti)
        self.notifier.submit(pendenza.id_dominio, rpp.iuv, rpp.ccp, body)

    def reset(self) -> None:
        self.store.reset()
        self.station.reset()
        self.notifier.reset()
        self.clock.offset = timedelta()
        self.connectors.clear()
        self.connectors.update(self.settings.connectors())

    def positions(self) -> list[dict[str, Any]]:
        today = self.clock.today()
        rows = []
        for p in self.store.all():
            key = (p.id_a2a, p.id_pendenza)
            rows.append(
                {
                    "idA2A": p.id_a2a,
                    "idPendenza": p.id_pendenza,
                    "idDominio": p.id_dominio,
                    "numeroAvviso": p.numero_avviso,
                    "stato": p.stato(today),
                    "descrizioneStato": p.descrizione_stato,
                    "importo": float(p.importo),
                    "rpp": [
                        {
                            "iuv": r.iuv,
                            "idRicevuta": r.ccp,
                            "importo": float(r.importo),
                            "psp": r.psp_name,
                            "stato": r.stato,
                        }
                        for r in p.rpps
                    ],
                    "exchanges": [x.to_dict() for x in self.store.exchanges.get(key, ())],
                }
            )
        return rows

    def notifications(self) -> list[dict[str, Any]]:
        return [n.to_dict() for n in list(self.notifier.notifications)]

    def status(self) -> dict[str, Any]:
        states: dict[str, int] = {}
        for n in list(self.notifier.notifications):
            states[n.state] = states.get(n.state, 0) + 1
        return {
            "simulator": "govpay",
            "status": "UP",
            "version": "GovPay 3.9.1 (API Pendenze 2.16.0, API Ente 2.1.1, Ragioneria 3.3.0)",
            "enti": [
                {
                    "idDominio": e.id_dominio,
                    "ragioneSociale": e.ragione_sociale,
                    "auxDigit": e.numbering.aux_digit,
                    "iuvMode": e.iuv_mode,
                }
                for e in self.store.enti.values()
            ],
            "idA2A": self.settings.id_a2a,
            "pendenze": len(self.store.pendenze),
            "ricevute": sum(len(p.rpps) for p in self.store.all()),
            "notifications": states,
            "creditors": {d: c.public() for d, c in self.connectors.items()},
            "clockOffsetDays": self.clock.offset.days,
            "faults": self.faults.to_list(),
            "documentationDefects": defects.as_list(),
        }
