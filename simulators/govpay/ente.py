"""The creditor (ente) as configured in GovPay, and the rules a pendenza must pass there.

GovPay keeps per ente its numbering (aux digit, segregation/application code), who
assigns the numero avviso (GovPay, or the ente's own application), the tipi pendenza and
entrate enabled, the IBANs registered and the unita' operative. :func:`check_new` and
:func:`check_update` apply GovPay's business rules, raising the FaultBean GovPay answers
(422 ``VER_0xx`` / ``TVD_000`` / ``TRB_000`` / ``UOP_000`` / ``DOM_000``; 500 ``DOM_002``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from simulators.govpay.errors import business
from simulators.govpay.model import Pendenza
from simulators.govpay.numbering import Numbering, NumeroAvvisoError, verify

IuvMode = Literal["govpay", "ente"]


@dataclass
class Ente:
    """One dominio of GovPay's anagrafica."""

    id_dominio: str
    ragione_sociale: str
    numbering: Numbering
    station_id: str
    iuv_mode: IuvMode = "govpay"  # govpay: assigned when absent; ente: must be supplied
    tipi_pendenza: frozenset[str] = frozenset()  # empty: any
    entrate: dict[str, str] = field(default_factory=dict)  # codEntrata -> IBAN
    entrata_category: str = "9/0101108TS/"
    ibans: frozenset[str] = frozenset()  # empty: any
    unita_operative: frozenset[str] = frozenset()


def _who(p: Pendenza) -> str:
    return f"(IdA2A:{p.id_a2a}, Id:{p.id_pendenza})"


def check_new(p: Pendenza, ente: Ente | None) -> Ente:
    """The rules every PUT passes (creation and update alike); the ente it belongs to."""
    if ente is None:
        raise business("DOM_000", f"Dominio ({p.id_dominio}) inesistente")
    if ente.tipi_pendenza and p.id_tipo_pendenza not in ente.tipi_pendenza:
        raise business(
            "TVD_000",
            f"Tipo pendenza ({p.id_tipo_pendenza}) del dominio ({p.id_dominio}) inesistente",
        )
    if p.id_unita_operativa is not None and p.id_unita_operativa not in ente.unita_operative:
        raise business(
            "UOP_000",
            f"Unita' operativa ({p.id_unita_operativa}) del dominio ({p.id_dominio}) inesistente",
        )
    seen: set[str] = set()
    for voce in p.voci:
        if voce.id_voce in seen:
            raise business(
                "VER_001",
                f"La pendenza {_who(p)} presenta il codSingoloVersamentoEnte ({voce.id_voce}) "
                "piu' di una volta",
            )
        seen.add(voce.id_voce)
        if voce.cod_entrata is not None:
            iban = ente.entrate.get(voce.cod_entrata)
            if iban is None:
                raise business("TRB_000", f"Entrata ({voce.cod_entrata}) inesistente")
            voce.iban, voce.tassonomia = iban, ente.entrata_category
        elif voce.iban is not None and ente.ibans and voce.iban not in ente.ibans:
            dominio = voce.id_dominio or p.id_dominio
            raise business(
                "VER_020", f"Iban di accredito ({voce.iban}) non censito per il dominio ({dominio})"
            )
    total = sum((v.importo for v in p.voci), Decimal("0.00"))
    if total != p.importo:
        raise business(
            "VER_002",
            f"La pendenza {_who(p)} ha un importo totale ({p.importo}) diverso dalla somma dei "
            f"singoli importi ({total})",
        )
    if p.numero_avviso is not None:
        try:
            verify(p.numero_avviso, ente.numbering, ente.id_dominio, ente.station_id)
        except NumeroAvvisoError as exc:
            raise business(exc.code, str(exc)) from None
    elif ente.iuv_mode == "ente":
        raise business(
            "DOM_002",
            f"Dominio ({ente.id_dominio}) configurato per la generazione custom degli iuv. "
            "Nella richiesta deve essere indicato lo IUV da assegnare.",
        )
    return ente


def check_update(old: Pendenza, new: Pendenza) -> None:
    """GovPay's ``validazioneSemanticaAggiornamento``: what an update may not change."""
    if old.base_stato not in ("NON_ESEGUITA", "ANNULLATA"):
        raise business(
            "VER_003",
            f"La pendenza {_who(old)} e' in uno stato che non consente l'aggiornamento "
            f"({_stato_versamento(old.base_stato)})",
        )
    if (old.id_dominio, old.id_unita_operativa) != (new.id_dominio, new.id_unita_operativa):
        raise business(
            "VER_004",
            f"La pendenza {_who(new)} presenta un beneficiario ({new.id_dominio} / "
            f"{new.id_unita_operativa or 'EC'}) diverso da quello originale ({old.id_dominio} / "
            f"{old.id_unita_operativa or 'EC'})",
        )
    if old.numero_avviso and new.numero_avviso and old.numero_avviso != new.numero_avviso:
        raise business(
            "VER_024",
            f"La pendenza {_who(new)} ha un numero avviso ({new.numero_avviso}) diverso "
            f"dall'originale ({old.numero_avviso}).",
        )
    if len(new.voci) < len(old.voci):
        raise business(
            "VER_005",
            f"La pendenza {_who(new)} inviata ha un numero di voci ({len(new.voci)}) diverso da "
            f"quello originale ({len(old.voci)})",
        )
    ids = {v.id_voce for v in new.voci}
    for voce in old.voci:
        if voce.id_voce not in ids:
            raise business(
                "VER_006",
                f"La pendenza {_who(new)} inviata non contiene una voce con "
                f"codSingoloVersamentoEnte ({voce.id_voce}) presente nell'originale",
            )


def _stato_versamento(stato: str) -> str:
    # GovPay names the stored state of the versamento in VER_003's message.
    return {
        "ESEGUITA": "ESEGUITO",
        "ANOMALA": "ESEGUITO",
        "INCASSATA": "ESEGUITO",
        "ESEGUITA_PARZIALE": "PARZIALMENTE_ESEGUITO",
    }.get(stato, stato)
