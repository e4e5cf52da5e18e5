"""What a collaudo run is and is not checked against, and what keeps a stack from starting.

- :func:`run_line`: the one line ``collaudo run`` prints under its table, from where each
  file the simulators use was found (:mod:`simulators.common.contracts`);
- :func:`start_problems`: what is missing for a target's stack to start (the MyPay
  contract for a simulated MyPay target, a live target's secrets), each with what to do,
  so that ``collaudo run`` and the pytest plugin say it once, before any scenario runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from collaudo.i18n import gettext as _
from collaudo.targets import Target
from simulators.common import contract_lock, contracts
from simulators.mypay import contracts as mypay_contracts

SIMULATORS = ("simulator:mypay", "simulator:gpd", "simulator:checkout")
# What the MyPay simulator cannot serve without, and its client cannot load without.
MYPAY_REQUIRED = (mypay_contracts.WSDL_FILE, mypay_contracts.DOCUMENTS_XSD)


def simulator_files() -> tuple[str, ...]:
    """Every file some simulator reads, in the lock's order, once each."""
    return tuple(dict.fromkeys(f for part in SIMULATORS for f in contract_lock.used_by(part)))


def run_line(found: Iterable[contracts.Located] | None = None) -> str:
    """``official contracts: …`` for the files the simulators use (default: as found now),
    in the current language."""
    located = list(found) if found is not None else contracts.locate_all(simulator_files())
    builtin = [f.relative for f in located if f.state == "built-in"]
    unvalidated = [f.relative for f in located if f.state in ("built-in", "missing")]
    differs = [f.relative for f in located if f.state == "differs"]
    if not unvalidated and not differs:
        return _("official contracts: verified (sha256)")
    parts = []
    if builtin:
        mypay_only = all(name.startswith("mypay/") for name in builtin)
        parts.append(
            _("built-in MyPay contract")
            if mypay_only
            else _("built-in %(files)s") % {"files": ", ".join(builtin)}
        )
    if unvalidated:
        parts.append(
            _("not validated against: %(files)s — run collaudo contracts fetch")
            % {"files": ", ".join(unvalidated)}
        )
    if differs:
        parts.append(
            _(
                "differ from the lock: %(files)s — run collaudo drift against them, "
                "or update the lock"
            )
            % {"files": ", ".join(differs)}
        )
    return _("official contracts: %(parts)s") % {"parts": "; ".join(parts)}


def simulated_stack_problems(intermediary: str) -> list[str]:
    """What keeps the simulated stack for ``intermediary`` from starting (empty: none)."""
    if intermediary != "mypay":
        return []
    absent = [r for r in MYPAY_REQUIRED if contracts.locate(r).state == "missing"]
    if not absent:
        return []
    return [f"the MyPay simulator has no contract to serve: {contracts.missing_message(*absent)}"]


def start_problems(target: Target) -> list[str]:
    """What keeps ``target``'s stack from starting, each saying what to do (empty: none)."""
    problems = simulated_stack_problems(target.intermediary) if target.simulated else []
    missing = target.missing_secrets()
    if missing:
        problems.append(f"set the environment variables {', '.join(missing)} first")
    return problems


def start_report(targets: Iterable[Target]) -> list[str]:
    """One line per problem of every target, prefixed with the target's name."""
    return [f"target {t.name} cannot start: {p}" for t in targets for p in start_problems(t)]
