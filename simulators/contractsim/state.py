"""What a contract simulator remembers: resources by path, SOAP records by key, answers set
by hand, violations seen. One lock; a version number that changes with every write, so
cached answers know when they are stale."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

MAX_VIOLATIONS = 1000
MAX_CACHED = 4096


@dataclass(frozen=True)
class Violation:
    """A request that broke the contract, and the rule it broke."""

    at: float
    operation: str
    rule: str
    detail: str
    status: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at)),
            "operation": self.operation,
            "rule": self.rule,
            "detail": self.detail,
            "answered": self.status,
        }


@dataclass
class ManualAnswer:
    """An answer set by hand for one operation (admin API): status, body, headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None  # None: until removed


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = 0
        self.resources: dict[str, Any] = {}  # REST: concrete item path -> resource
        self.records: list[dict[str, Any]] = []  # SOAP: created records
        self.answers: dict[str, ManualAnswer] = {}
        self.violations: deque[Violation] = deque(maxlen=MAX_VIOLATIONS)
        self.cache: OrderedDict[str, tuple[int, Any]] = OrderedDict()

    def changed(self) -> None:
        self.version += 1

    def reset(self) -> None:
        with self.lock:
            self.resources.clear()
            self.records.clear()
            self.violations.clear()
            self.cache.clear()
            self.changed()

    def violation(self, operation: str, rule: str, detail: str, status: int) -> None:
        self.violations.append(Violation(time.time(), operation, rule, detail, status))

    def cached(self, key: str) -> Any:
        found = self.cache.get(key)
        if found is None or found[0] != self.version:
            return None
        return found[1]

    def remember(self, key: str, value: Any) -> None:
        self.cache[key] = (self.version, value)
        if len(self.cache) > MAX_CACHED:
            self.cache.popitem(last=False)

    def take_answer(self, operation: str) -> ManualAnswer | None:
        with self.lock:
            answer = self.answers.get(operation)
            if answer is None:
                return None
            if answer.times is not None:
                answer.times -= 1
                if answer.times <= 0:
                    del self.answers[operation]
            return answer

    def listing(self) -> dict[str, Any]:
        with self.lock:
            return {
                "resources": [{"path": p, "resource": r} for p, r in self.resources.items()],
                "records": list(self.records),
            }
