"""``collaudo intermediary new NAME --contract FILE``: a driver skeleton from the contract.

:func:`generate` checks the contract (:mod:`collaudo.contractcheck`: which operation serves
which verb), loads it as the contract simulator does (schemas, parameters, security
schemes: :mod:`.plan`), and writes ``adapters/drivers/NAME/`` (:mod:`.render`,
:mod:`.render_driver`), a conformance test module under ``tests/drivers/NAME/`` and a
``sim-NAME`` target in ``collaudo.toml`` (:mod:`.write`).
"""

from collaudo.scaffold.plan import Plan, ScaffoldError
from collaudo.scaffold.write import Generated, generate

__all__ = ["Generated", "Plan", "ScaffoldError", "generate"]
