"""Matching a live request to a recorded one, vcrpy-style: strict, and loud when it fails.

A request's key is its operation — SOAP: endpoint path and body element; REST: the route
(method and path, variable segments as ``{}``) — plus its identifying fields
(:mod:`.fields`: secrets, personal data and volatile values such as timestamps, message and
session ids are left out). Recorded requests with the same key are served in recorded order
(a status asked twice may answer UNPAID, then PAID); past the last one the last is repeated.
A request that matches nothing raises :class:`NoMatch`, naming the nearest recorded
requests and, for each, which fields differ and how.

Computing a key parses the body (SOAP envelopes, base64 documents), which costs far more
than a lookup; so keys are remembered by the request's exact bytes — the recorded
requests' from the start, live ones in a bounded cache — and a byte-identical request
(a replayed client, a retry) is matched without parsing. The key, and so the answer, is
the same either way.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mitmproxy import http

from collaudo.recorder.fields import Kind, classify
from collaudo.recorder.messages import FieldPath, parse_body, route_of, show_path

MAX_SHOWN_VALUE = 60
MAX_REASONS = 8
#: Live requests whose keys are remembered by their bytes (least recently used go first).
KEY_CACHE_SIZE = 4096

RawRequest = tuple[str, str, str, bytes]  # method, path, content type, body


@dataclass(frozen=True)
class RequestKey:
    """What identifies a request: its operation and identifying fields."""

    operation: str
    fields: Mapping[FieldPath, str]

    @functools.cached_property
    def signature(self) -> tuple[str, frozenset[tuple[FieldPath, str]]]:
        return self.operation, frozenset(self.fields.items())


def request_key(method: str, path: str, content_type: str, body: bytes) -> RequestKey:
    """The key of a request given by its parts."""
    route, route_fields = route_of(method, path)
    parsed = parse_body(body, content_type)
    if parsed.kind == "soap":
        operation = f"{route} {parsed.operation}"
        every = {**route_fields, **parsed.fields}
    else:
        operation = route
        every = {**route_fields, **parsed.fields}
        if parsed.kind == "text" and body:
            every[("<body>",)] = body.decode("utf-8", "replace")[:200]
    identifying = {p: v for p, v in every.items() if classify(p, v) is Kind.IDENTIFYING}
    return RequestKey(operation, identifying)


def flow_key(flow: http.HTTPFlow) -> RequestKey:
    req = flow.request
    return request_key(
        req.method, req.path, req.headers.get("content-type", ""), req.raw_content or b""
    )


def _shown(value: str | None) -> str:
    if value is None:
        return "(absent)"
    return repr(value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…")


@dataclass
class Near:
    """A recorded request near the unmatched one, and why it is not a match."""

    index: int
    operation: str
    reasons: list[str]

    def __str__(self) -> str:
        lines = [f"  #{self.index} {self.operation}"]
        lines += [f"      - {reason}" for reason in self.reasons[:MAX_REASONS]]
        if len(self.reasons) > MAX_REASONS:
            lines.append(f"      - … and {len(self.reasons) - MAX_REASONS} more differences")
        return "\n".join(lines)


def differences(recorded: RequestKey, live: RequestKey) -> list[str]:
    """Why ``live`` does not match ``recorded``, one reason per differing part."""
    reasons = []
    if recorded.operation != live.operation:
        reasons.append(f"operation: recorded {recorded.operation}, got {live.operation}")
    for path in sorted(set(recorded.fields) | set(live.fields)):
        was, now = recorded.fields.get(path), live.fields.get(path)
        if was != now:
            reasons.append(f"{show_path(path)}: recorded {_shown(was)}, got {_shown(now)}")
    return reasons


class NoMatch(LookupError):
    """No recorded request matches; carries the request and the nearest recorded ones."""

    def __init__(self, method: str, path: str, key: RequestKey, nearest: Sequence[Near]) -> None:
        self.method, self.path, self.key, self.nearest = method, path, key, list(nearest)
        super().__init__(self.explain())

    def explain(self) -> str:
        head = (
            f"no recorded answer for {self.method} {self.path.split('?')[0]} ({self.key.operation})"
        )
        if not self.nearest:
            return head + ": the recording holds no requests at all"
        body = "\n".join(str(near) for near in self.nearest)
        return f"{head}. Nearest recorded requests and why they differ:\n{body}"


@dataclass
class _Entry:
    index: int
    flow: http.HTTPFlow
    key: RequestKey


@dataclass
class Matcher:
    """Finds the recorded flow answering a request; remembers what was served."""

    flows: Sequence[http.HTTPFlow]
    nearest_count: int = 3
    _entries: list[_Entry] = field(init=False)
    _by_signature: dict[object, list[_Entry]] = field(init=False)
    _served: dict[object, int] = field(init=False)
    used: set[int] = field(init=False)

    _keys: OrderedDict[RawRequest, RequestKey] = field(init=False)

    def __post_init__(self) -> None:
        self._keys = OrderedDict()
        self._entries = []
        for index, flow in enumerate(self.flows):
            req = flow.request
            raw = (
                req.method,
                req.path,
                req.headers.get("content-type", ""),
                req.raw_content or b"",
            )
            key = self._keys.get(raw) or request_key(*raw)
            self._keys[raw] = key
            self._entries.append(_Entry(index, flow, key))
        self._by_signature = {}
        for entry in self._entries:
            self._by_signature.setdefault(entry.key.signature, []).append(entry)
        self._served = {}
        self.used: set[int] = set()

    def match(self, method: str, path: str, content_type: str, body: bytes) -> http.HTTPFlow:
        """The recorded flow for this request, or :class:`NoMatch`."""
        key = self.key_of(method, path, content_type, body)
        signature = key.signature
        entries = self._by_signature.get(signature)
        if not entries:
            raise NoMatch(method, path, key, self.nearest(key))
        position = self._served.get(signature, 0)
        self._served[signature] = position + 1
        entry = entries[min(position, len(entries) - 1)]
        self.used.add(entry.index)
        return entry.flow

    def key_of(self, method: str, path: str, content_type: str, body: bytes) -> RequestKey:
        """The request's key, parsed once per distinct request (bounded memory)."""
        raw = (method, path, content_type, body)
        key = self._keys.get(raw)
        if key is not None:
            self._keys.move_to_end(raw)
            return key
        key = request_key(*raw)
        self._keys[raw] = key
        if len(self._keys) > len(self._entries) + KEY_CACHE_SIZE:
            self._keys.popitem(last=False)
        return key

    def nearest(self, key: RequestKey) -> list[Near]:
        scored = []
        for entry in self._entries:
            reasons = differences(entry.key, key)
            # A different operation is farther than any number of differing fields.
            weight = (entry.key.operation != key.operation) * 1000 + len(reasons)
            scored.append((weight, entry.index, entry, reasons))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [
            Near(entry.index, entry.key.operation, reasons)
            for _, _, entry, reasons in scored[: self.nearest_count]
        ]

    def unused(self) -> list[int]:
        """Indexes of recorded flows never served (respx's ``assert_all_called``)."""
        return [e.index for e in self._entries if e.index not in self.used]
