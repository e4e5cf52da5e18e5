"""Numero avviso and IUV as GovPay assigns and checks them (pagoPA's four aux digits).

| aux | numero avviso (18)                      | IUV                                  |
|-----|-----------------------------------------|--------------------------------------|
| 0   | ``0`` + application code (2) + IUV (15) | reference (13) + check (2)           |
| 1   | ``1`` + IUV (17)                        | reference (17), no check             |
| 2   | ``2`` + IUV (17)                        | reference (15) + check (2)           |
| 3   | ``3`` + IUV (17)                        | segregation (2) + ref (13) + check (2) |

The check digit is the remainder of the division by 93 of the digits before it (aux
digit included), on two digits. GovPay checks a supplied numero avviso for length,
digits, aux digit, application and segregation code, but not its check digit: neither
does :func:`verify` (the generator always writes a correct one).
"""

from __future__ import annotations

from dataclasses import dataclass


class NumeroAvvisoError(ValueError):
    """A numero avviso GovPay refuses; ``code`` is GovPay's (VER_017/026/027/039)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Numbering:
    """An ente's numbering: aux digit, segregation code (aux 3), application code (aux 0)."""

    aux_digit: int = 3
    segregation_code: int = 1
    application_code: int = 1

    def numero_avviso(self, sequence: int) -> str:
        """The ``sequence``-th numero avviso this ente issues (check digit included)."""
        if sequence < 0:
            raise ValueError("sequence must not be negative")
        aux = self.aux_digit
        if aux == 0:
            head, width = f"0{self.application_code:02d}", 13
        elif aux == 1:
            return f"1{sequence:017d}"
        elif aux == 2:
            head, width = "2", 15
        elif aux == 3:
            head, width = f"3{self.segregation_code:02d}", 13
        else:
            raise ValueError(f"aux digit {aux} is not 0, 1, 2 or 3")
        if sequence >= 10**width:
            raise ValueError(f"sequence {sequence} does not fit {width} digits")
        body = head + f"{sequence:0{width}d}"
        return body + check_digit(body)


def check_digit(body: str) -> str:
    """Two digits: ``int(body) mod 93``, zero-padded."""
    return f"{int(body) % 93:02d}"


def iuv_of(numero_avviso: str) -> str:
    """The IUV inside a numero avviso (GovPay's rule); VER_017 if it is not one."""
    if len(numero_avviso) != 18 or not numero_avviso.isdigit():
        raise NumeroAvvisoError(
            "VER_017", f"Lo IUV ({numero_avviso}) non e' conforme alle specifiche agid"
        )
    first = numero_avviso[0]
    if first == "0":
        return numero_avviso[3:]
    if first in "123":
        return numero_avviso[1:]
    raise NumeroAvvisoError(
        "VER_017", f"Lo IUV ({numero_avviso}) non e' conforme alle specifiche agid"
    )


def verify(numero_avviso: str, numbering: Numbering, id_dominio: str, station: str) -> None:
    """Raise :class:`NumeroAvvisoError` when GovPay would refuse ``numero_avviso`` here."""
    iuv_of(numero_avviso)
    code = int(numero_avviso[1:3])
    if numero_avviso[0] == "0" and code != numbering.application_code:
        raise NumeroAvvisoError(
            "VER_026",
            f"Lo IUV ({numero_avviso}) non e' conforme alle specifiche agid, application code "
            f"({numero_avviso[1:3]}) non valido per la stazione ({station})",
        )
    if numero_avviso[0] == "3" and code != numbering.segregation_code:
        raise NumeroAvvisoError(
            "VER_027",
            f"Lo IUV ({numero_avviso}) non e' conforme alle specifiche agid, segregaton code "
            f"({numero_avviso[1:3]}) non valido per il dominio ({id_dominio})",
        )
    if numero_avviso[0] != str(numbering.aux_digit):
        raise NumeroAvvisoError(
            "VER_039",
            f"Il carattere iniziale del numero avviso ({numero_avviso}) non coincide con l'aux "
            f"digit ({numbering.aux_digit}) impostato per l'Ente Creditore ({id_dominio})",
        )
