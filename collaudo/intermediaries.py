"""The intermediaries the in-process stack drives, by name (no imports: read at start-up).

:mod:`collaudo.stack` re-exports them; :mod:`collaudo.targets` reads them from here, so
loading the target profiles (what ``collaudo run`` does before pytest starts) does not
import every simulator.
"""

from __future__ import annotations

from typing import Literal

Intermediary = Literal["mypay", "gpd", "govpay"]
INTERMEDIARIES: tuple[Intermediary, ...] = ("mypay", "gpd", "govpay")
