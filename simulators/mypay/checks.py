"""MyPay's checks on what a SIL sends to be kept: the debtor, each dovuto, the IUV."""

from __future__ import annotations

import re

from simulators.mypay.context import MyPayFault
from simulators.mypay.iuv import iuv_problem
from simulators.mypay.model import TIPO_MARCA_BOLLO, Creditor, Debtor, Item

_FISCAL_CODE_F = re.compile(r"[A-Z0-9]{16}|[0-9]{11}")
_FISCAL_CODE_G = re.compile(r"[0-9]{11}")


def check_debtor(debtor: Debtor | None) -> Debtor:
    """The ``soggettoPagatore``: present, with a well-formed fiscal code or VAT number."""
    if debtor is None:
        raise MyPayFault("PAA_SOGG_PAG_NON_VALORIZZATO", "soggettoPagatore non valorizzato")
    pattern = _FISCAL_CODE_F if debtor.kind == "F" else _FISCAL_CODE_G
    if not pattern.fullmatch(debtor.fiscal_code):
        code = "PAA_CODICE_FISCALE_NON_VALIDO" if debtor.kind == "F" else "PAA_P_IVA_NON_VALIDO"
        label = "Codice fiscale non valido" if debtor.kind == "F" else "P.IVA non valida"
        raise MyPayFault(code, f"{label} [{debtor.fiscal_code}]")
    return debtor


def check_item(creditor: Creditor, item: Item, importing: bool) -> None:
    """One dovuto: its IUD, a tipo dovuto of the ente, a positive amount, and a digital stamp
    only online (not on ``importing``) at the ente's stamp amount."""
    if not item.iud or item.iud.startswith("000"):
        raise MyPayFault(
            "PAA_IUD_NON_VALIDO", f"IdentificativoUnivocoDovuto non valido [{item.iud}]"
        )
    if item.tipo_dovuto not in creditor.tipi_dovuto:
        raise MyPayFault(
            "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_VALIDO",
            f"Error tipo dovuto [{item.tipo_dovuto}] non censito per ente [{creditor.cod_ipa}]",
            f"tipi dovuto of {creditor.cod_ipa}: {', '.join(creditor.tipi_dovuto)}",
        )
    if item.tipo_dovuto == TIPO_MARCA_BOLLO:
        if importing:
            raise MyPayFault(
                "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_VALIDO",
                f"Error tipo dovuto [{TIPO_MARCA_BOLLO}] non abilitato per funzione di import",
                "a digital stamp is paid online: send it with paaSILInviaDovuti",
            )
        if item.amount != creditor.stamp_amount:
            raise MyPayFault(
                "PAA_IMPORTO_MARCA_BOLLO_DIGITALE_NON_VALIDA",
                f"importoSingoloVersamento non valido per tipo dovuto {TIPO_MARCA_BOLLO}",
                f"expected {creditor.stamp_amount:.2f}, got {item.amount:.2f}",
            )
        if item.stamp is None:
            raise MyPayFault(
                "PAA_XML_NON_VALIDO",
                "XML dei dovuti non valido",
                f"{TIPO_MARCA_BOLLO} needs datiMarcaBolloDigitale",
            )
    if item.amount <= 0:
        raise MyPayFault(
            "PAA_IMPORTO_SINGOLO_VERSAMENTO_NON_VALIDO",
            f"ImportoSingoloVersamento non valido [{item.amount}]",
        )


def check_iuv(creditor: Creditor, iuv: str) -> None:
    """An IUV the SIL chose: well-formed for the ente's segregation code."""
    problem = iuv_problem(iuv, creditor.segregation_code)
    if problem:
        raise MyPayFault(
            "PAA_IUV_NON_VALIDO",
            f"IdentificativoUnivocoVersamento non valido [{iuv}] per ente [{creditor.cod_ipa}]",
            problem,
        )
