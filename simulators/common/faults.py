"""Fault profiles: what breaks in real intermediary test environments.

Each profile is one small class registered here, named after the seed's
"criticità comuni". A profile fires at one or more *points* (where in a
simulator it can strike) with a rate in [0, 1] drawn from its own seeded RNG,
so a run is reproducible. What "firing" does is up to the simulator at that
point (a SOAP fault, an HTTP 503, a sleep, a dropped notification, ...): the
profile only says *whether* and carries its parameters.

Points used by the simulators:
    create, status, notice, receipt, any        intermediary operations
    redirect                                     the URL handed to the citizen
    notify                                       paSendRT / notifications to the EC
    card, outcome                                checkout card screen / final outcome
    connect                                      every request (access faults)
"""

from __future__ import annotations

import collections
import random
import threading
from dataclasses import dataclass
from typing import Any, ClassVar

POINTS = frozenset(
    {"create", "status", "notice", "receipt", "any", "redirect", "notify", "card", "outcome",
     "connect"}
)  # fmt: skip


class Fault:
    """Base of every fault profile."""

    name: ClassVar[str]
    description: ClassVar[str]
    points: ClassVar[frozenset[str]]
    # Simulators that know how to express it ("mypay", "gpd", "govpay", "checkout", "platform").
    simulators: ClassVar[frozenset[str]]

    def __init__(self, rate: float = 1.0, seed: int = 0, **params: Any) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault {self.name}: rate must be between 0 and 1, got {rate}")
        self.rate = rate
        self.seed = seed
        self.params = params
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.fired = 0

    def fires(self) -> bool:
        with self._lock:
            hit = self._rng.random() < self.rate
            if hit:
                self.fired += 1
            return hit

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "points": sorted(self.points),
            "rate": self.rate,
            "seed": self.seed,
            "params": self.params,
            "fired": self.fired,
        }


REGISTRY: dict[str, type[Fault]] = {}


def register(cls: type[Fault]) -> type[Fault]:
    REGISTRY[cls.name] = cls
    return cls


def _fault(name: str, description: str, points: set[str], simulators: set[str]) -> None:
    assert points <= POINTS, points
    register(
        type(
            "".join(part.title() for part in name.split("-")),
            (Fault,),
            {
                "name": name,
                "description": description,
                "points": frozenset(points),
                "simulators": frozenset(simulators),
            },
        )
    )


# "contract": the simulator built from any contract (simulators.contractsim).
_INTERMEDIARIES = {"mypay", "gpd", "govpay", "contract"}

_fault(
    "creation-error",
    "debt position creation answers a system fault (SOAP fault / HTTP 500)",
    {"create"},
    _INTERMEDIARIES,
)
_fault(
    "notice-download-failure",
    "the paper notice (avviso) cannot be downloaded",
    {"notice"},
    _INTERMEDIARIES,
)
_fault(
    "receipt-download-failure",
    "the receipt (RT) cannot be downloaded",
    {"receipt"},
    _INTERMEDIARIES,
)
_fault("status-error", "status requests answer a system fault", {"status"}, _INTERMEDIARIES)
_fault(
    "broken-redirect",
    "the checkout URL handed to the citizen leads nowhere",
    {"redirect"},
    _INTERMEDIARIES | {"checkout"},
)
_fault(
    "slow-response",
    "answers arrive late but within pagoPA's 7 s (param delay, default 3 s)",
    {"any"},
    _INTERMEDIARIES,
)
_fault(
    "timeout",
    "answers arrive after pagoPA's timeouts (param delay, default 16 s)",
    {"any"},
    _INTERMEDIARIES,
)
_fault("malformed-xml", "the answer is not well-formed XML", {"any"}, {"mypay", "contract"})
_fault(
    "wrong-namespace",
    "the answer uses a namespace the contract does not declare",
    {"any"},
    {"mypay", "contract"},
)
_fault(
    "missing-element",
    "a mandatory element is missing from the answer",
    {"any"},
    {"mypay", "contract"},
)
_fault(
    "malformed-json",
    "the answer is not valid JSON or misses mandatory fields",
    {"any"},
    {"gpd", "govpay", "contract"},
)
_fault(
    "duplicate-notification",
    "the payment outcome is notified twice",
    {"notify"},
    {"checkout", "govpay"},
)
_fault(
    "late-notification",
    "the payment outcome is notified late (param delay, default 5 s)",
    {"notify"},
    {"checkout", "govpay"},
)
_fault(
    "lost-notification",
    "the payment outcome is never notified to the creditor",
    {"notify"},
    {"checkout", "govpay"},
)
_fault(
    "anomalous-payment",
    "the next receipt leaves its pendenza ANOMALA (e.g. amount differing from the debt)",
    {"notify"},
    {"govpay"},
)
_fault("card-screen-error", "the checkout fails on the card data screen", {"card"}, {"checkout"})
_fault(
    "lost-outcome",
    "the payment succeeds but the citizen never gets back the outcome",
    {"outcome"},
    {"checkout"},
)
_fault(
    "ip-not-allowed-refuse",
    "the caller is not allow-listed: connection closed (VPN case)",
    {"connect"},
    _INTERMEDIARIES,
)
_fault(
    "ip-not-allowed-403", "the caller is not allow-listed: HTTP 403", {"connect"}, _INTERMEDIARIES
)
_fault(
    "expired-credentials", "valid credentials are refused as expired", {"connect"}, _INTERMEDIARIES
)


def available(simulator: str) -> list[type[Fault]]:
    return [cls for _, cls in sorted(REGISTRY.items()) if simulator in cls.simulators]


class UnknownFault(KeyError):
    def __str__(self) -> str:
        return f"unknown fault profile {self.args[0]!r}; known: {', '.join(sorted(REGISTRY))}"


@dataclass
class FaultSpec:
    name: str
    rate: float = 1.0
    seed: int = 0

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """``name[:rate[:seed]]``, as given to ``--faults``."""
        name, *rest = text.strip().split(":")
        if name not in REGISTRY:
            raise UnknownFault(name)
        try:
            rate = float(rest[0]) if rest else 1.0
            seed = int(rest[1]) if len(rest) > 1 else 0
        except ValueError as exc:
            raise ValueError(f"bad fault spec {text!r}: expected name[:rate[:seed]]") from exc
        return cls(name, rate, seed)


class FaultState:
    """The faults active in one simulator, switchable at run time."""

    def __init__(self, simulator: str) -> None:
        self.simulator = simulator
        self._active: dict[str, Fault] = {}
        self._lock = threading.Lock()
        # Faults injected since start, by name: kept when a fault is switched off (/metrics).
        self.injected: collections.Counter[str] = collections.Counter()

    def activate(self, name: str, rate: float = 1.0, seed: int = 0, **params: Any) -> Fault:
        cls = REGISTRY.get(name)
        if cls is None:
            raise UnknownFault(name)
        if self.simulator not in cls.simulators:
            raise ValueError(
                f"fault {name!r} does not apply to the {self.simulator} simulator; "
                f"its faults are: {', '.join(c.name for c in available(self.simulator))}"
            )
        fault = cls(rate=rate, seed=seed, **params)
        with self._lock:
            self._active[name] = fault
        return fault

    def deactivate(self, name: str) -> None:
        with self._lock:
            self._active.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._active.clear()

    def check(self, *points: str) -> Fault | None:
        """The first active fault at any of ``points`` that fires now, if any."""
        if not self._active:  # the usual case: no lock, no copy
            return None
        with self._lock:
            candidates = list(self._active.values())
        wanted = set(points)
        for fault in candidates:
            if fault.points & wanted and fault.fires():
                self.injected[fault.name] += 1
                return fault
        return None

    def fires(self, name: str) -> Fault | None:
        """The fault ``name`` if it is active and fires now (one dict lookup when not)."""
        fault = self._active.get(name)
        if fault is not None and fault.fires():
            self.injected[name] += 1
            return fault
        return None

    @property
    def any_active(self) -> bool:
        return bool(self._active)

    def is_active(self, name: str) -> bool:
        return name in self._active

    def to_list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_dict() for f in self._active.values()]
