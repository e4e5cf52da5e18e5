"""Serving a REST contract: route, validate, remember, answer.

Per request: find the operation (a path that exists with another method is a 405), check
path, query and header parameters and the body against the contract (a violation gets the
contract's own error answer and is listed), let fault profiles strike, then answer: a
hand-set answer if the admin API set one; else the resource state (collection/item pairs:
POST/PUT create, GET reads, PATCH/PUT change, DELETE removes); else an answer built from the
declared response (its example when valid, else generated, deterministic per request).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from simulators.common.faults import FaultState
from simulators.contractsim import gate, pagopa
from simulators.contractsim.jsongen import MISSING, JsonGenerator, _lookup
from simulators.contractsim.openapi import Answer, RestContract, RestOperation
from simulators.contractsim.rest_checks import Invalid, validate
from simulators.contractsim.state import State
from simulators.contractsim.wire import Incoming, Outgoing

PROBLEM = "application/problem+json"
_STATEFUL = ("post", "put", "patch", "delete")


Outcome = Outgoing


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class RestEngine:
    def __init__(self, contract: RestContract, state: State, faults: FaultState) -> None:
        self.contract = contract
        self.state = state
        self.faults = faults
        self.generator = JsonGenerator(contract.schemas)
        # Compiled now, not on a first request: bodies' validators, examples' validity.
        for op in contract.operations:
            for at in op.body.values():
                contract.schemas.validator("request", at)
            for answer in op.answers.values():
                self._example_valid(answer)

    # --- entry --------------------------------------------------------------------------

    async def handle(self, request: Incoming, path: str) -> Outgoing:
        method = request.method.lower()
        op, path_params, known = self.contract.find(method, path)
        if op is None:
            status = 405 if known else 404
            rule = "method not declared for this path" if known else "path not in the contract"
            detail = f"{request.method} {path}: {rule}"
            self.state.violation(f"{request.method} {path}", rule, detail, status)
            return self._problem_response(
                status, "Not Found" if status == 404 else "Method Not Allowed", detail
            )
        body = request.body
        if op.security and op.declares(401) and not _authenticated(op, request):
            needed = " or ".join(
                " and ".join(f"{where} {name}" for where, name in alternative)
                for alternative in op.security
            )
            detail = f"missing credentials: send {needed}"
            self.state.violation(op.name, "security", detail, 401)
            problem = {"title": "Unauthorized", "status": 401, "statusCode": 401}
            outcome = self._build(
                op, "401", {**problem, "detail": detail, "message": detail}, "401"
            )
            return self._response(outcome, request)
        try:
            values, parsed = validate(op, request, path_params, body, self.contract.schemas)
        except Invalid as bad:
            outcome = self._error(op, bad)
            self.state.violation(op.name, bad.rule, bad.detail, outcome.status)
            return self._response(outcome, request)
        if self.faults.any_active:
            failed = await self._faulted(op, request)
            if failed is not None:
                return failed
        manual = self.state.take_answer(op.name)
        if manual is not None:
            media = "application/json" if not isinstance(manual.body, str) else "text/plain"
            data = manual.body.encode() if isinstance(manual.body, str) else _dump(manual.body)
            outcome = Outcome(
                manual.status, data if manual.body is not None else b"", media, dict(manual.headers)
            )
        else:
            outcome = self._answer(op, path, values, parsed, request, body)
        if self.faults.any_active and gate.broken_answer(self.faults, ("malformed-json",)):
            outcome.body = outcome.body[: max(1, len(outcome.body) // 2)]
        return self._response(outcome, request)

    def _response(self, outcome: Outcome, request: Incoming) -> Outgoing:
        incoming = request.headers.get("x-request-id")
        if incoming:
            for name in outcome.headers:
                if name.lower() == "x-request-id":
                    outcome.headers[name] = incoming
        return outcome

    def _problem_response(self, status: int, title: str, detail: str) -> Outgoing:
        body = _dump({"type": "about:blank", "title": title, "status": status, "detail": detail})
        return Outgoing(status, body, PROBLEM)

    async def _faulted(self, op: RestOperation, request: Incoming) -> Outgoing | None:
        kind = gate.operation_kind(op.name + " " + op.template, op.method)
        fault = await gate.strike(self.faults, kind)
        if fault is None:
            return None
        if fault.name == "ip-not-allowed-403":
            client = request.client or "unknown"
            return self._problem_response(
                403, "Forbidden", f"source address {client} is not allow-listed"
            )
        if fault.name == "expired-credentials":
            return self._problem_response(401, "Unauthorized", "credentials expired")
        return self._problem_response(
            500, "Internal Server Error", f"simulated fault {fault.name}: try again later"
        )

    # --- answers --------------------------------------------------------------------------

    def _error(self, op: RestOperation, bad: Invalid) -> Outcome:
        status = None
        for candidate in (400, 422) + ((404,) if bad.location == "path" else ()):
            if op.declares(candidate):
                status = candidate
                break
        if status is None:
            declared = sorted(
                int(s)
                for s in op.answers
                if s.isdigit() and s[0] == "4" and s not in ("401", "403", "407", "429")
            )
            status = declared[0] if declared else None
        problem = {
            "type": "about:blank",
            "title": "Bad Request" if status in (None, 400) else "Invalid request",
            "status": status or 400,
            "statusCode": status or 400,
            "detail": bad.detail,
            "message": bad.detail,
        }
        if status is None:
            return Outcome(400, _dump(problem), PROBLEM, {})
        return self._build(op, str(status), problem, f"error|{bad.detail}")

    def _build(self, op: RestOperation, status: str, data: Any, key: str) -> Outcome:
        answer: Answer | None = op.answers.get(status) or op.answers.get("default")
        code = int(status) if status.isdigit() else 200
        if answer is None:
            return Outcome(code, b"", None, {})
        headers = self._headers(answer, key)
        if answer.schema is None:
            if answer.example is not MISSING:
                return Outcome(code, _dump(answer.example), answer.media, headers)
            return Outcome(code, b"", answer.media if answer.media else None, headers)
        schema = self.contract.schemas.node("response", answer.schema)
        if self._example_valid(answer):
            if data is MISSING:
                return Outcome(code, _dump(answer.example), answer.media, headers)
            if isinstance(data, dict) and isinstance(answer.example, dict):
                data = {**answer.example, **data}  # the request's values, the example's rest
        body = self.generator.shape(schema, data, key)
        media = _concrete(answer.media or "application/json")
        if "json" in media:
            return Outcome(code, _dump(body), media, headers)
        return Outcome(code, str(body).encode(), media, headers)

    def _example_valid(self, answer: Answer) -> bool:
        """Whether the answer's example is valid against its schema (checked once: official
        files carry examples that violate their own schema)."""
        if answer.example is MISSING or answer.schema is None:
            return False
        if answer.example_valid is None:
            validator = self.contract.schemas.validator("response", answer.schema)
            answer.example_valid = bool(validator.is_valid(answer.example))
        return answer.example_valid

    def _headers(self, answer: Answer, key: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, (_required, schema_at) in answer.headers.items():
            if name.lower() in ("content-type", "content-length"):
                continue
            schema = (
                self.contract.schemas.node("response", schema_at)
                if schema_at
                else {"type": "string"}
            )
            value = self.generator.shape(schema, MISSING, f"{key}|header", name)
            headers[name] = value if isinstance(value, str) else json.dumps(value)
        return headers

    def _answer(
        self,
        op: RestOperation,
        path: str,
        values: dict[str, Any],
        parsed: Any,
        request: Incoming,
        body: bytes,
    ) -> Outcome:
        key = hashlib.sha256(
            f"{op.name}|{path}|{sorted(request.query)}|{sorted(map(str, values.items()))}|".encode()
            + body
        ).hexdigest()[:24]
        stateful = (
            op.collection is not None or op.item is not None or self._under_item(path) is not None
        )
        if op.method in _STATEFUL and stateful:
            with self.state.lock:
                return self._stateful(op, path, values, parsed, key)
        cached = self.state.cached(key)
        if cached is not None:
            return Outcome(cached.status, cached.body, cached.media, dict(cached.headers))
        with self.state.lock:
            outcome = self._read(op, path, values, key)
            self.state.remember(key, outcome)
        return Outcome(outcome.status, outcome.body, outcome.media, dict(outcome.headers))

    def _under_item(self, path: str) -> str | None:
        """The stored item whose path this one extends (``/items/7/publish``), if any."""
        for stored in self.state.resources:
            if path.startswith(stored + "/"):
                return stored
        return None

    def _read(self, op: RestOperation, path: str, values: dict[str, Any], key: str) -> Outcome:
        resources = self.state.resources
        if op.collection is not None:  # an item path
            resource = resources.get(path.rstrip("/"))
            if resource is None:
                return self._missing(op, path, values, key)
            return self._build(op, op.success, {**values, **resource}, key)
        if op.item is not None:  # a collection path
            prefix = path.rstrip("/") + "/"
            items = [
                r
                for p, r in resources.items()
                if p.startswith(prefix) and "/" not in p[len(prefix) :]
            ]
            return self._build(op, op.success, self._collection_data(op, values, items), key)
        owner = self._under_item(path)
        if owner is not None:
            return self._build(op, op.success, {**values, **resources[owner]}, key)
        return self._build(op, op.success, values or MISSING, key)

    def _missing(self, op: RestOperation, path: str, values: dict[str, Any], key: str) -> Outcome:
        if op.declares(404):
            detail = f"{path}: not found (nothing was created at this path)"
            return self._build(
                op,
                "404",
                {
                    "title": "Not Found",
                    "status": 404,
                    "statusCode": 404,
                    "detail": detail,
                    "message": detail,
                },
                key,
            )
        return self._build(op, op.success, values or MISSING, key)

    def _collection_data(self, op: RestOperation, values: dict[str, Any], items: list[Any]) -> Any:
        answer = op.answers.get(op.success)
        if answer is None or answer.schema is None:
            return items
        schema = self.generator.resolve(self.contract.schemas.node("response", answer.schema))
        if schema.get("type") == "array" or "items" in schema:
            return items
        for prop, sub in (schema.get("properties") or {}).items():
            resolved = self.generator.resolve(sub)
            if resolved.get("type") == "array" or "items" in resolved:
                return {**values, prop: items}
        return values or MISSING

    def _new_key(
        self, op: RestOperation, item_template: str, param: str, parsed: Any, key: str
    ) -> str:
        found = _lookup(parsed, param)
        if isinstance(found, str | int) and not isinstance(found, bool) and str(found):
            return str(found)
        for name in ("id", "uuid", "code", "codice"):
            found = _lookup(parsed, name)
            if isinstance(found, str | int) and not isinstance(found, bool) and str(found):
                return str(found)
        digits = pagopa.Digits(key)
        return f"{digits.take(8)}-{digits.take(4)}-{digits.take(4)}"

    def _stateful(
        self, op: RestOperation, path: str, values: dict[str, Any], parsed: Any, key: str
    ) -> Outcome:
        resources = self.state.resources
        clean = path.rstrip("/")
        body = (
            parsed if isinstance(parsed, dict) else ({} if parsed is MISSING else {"value": parsed})
        )
        if op.method == "post" and op.item is not None and op.child_param:
            item_key = self._new_key(op, op.item, op.child_param, parsed, key)
            item_path = f"{clean}/{item_key}"
            if item_path in resources and op.declares(409):
                detail = f"{item_path} already exists"
                return self._build(
                    op,
                    "409",
                    {
                        "title": "Conflict",
                        "status": 409,
                        "statusCode": 409,
                        "detail": detail,
                        "message": detail,
                    },
                    key,
                )
            resource = dict(body)
            if _lookup(resource, op.child_param) is MISSING:
                resource[op.child_param] = item_key
            resources[item_path] = resource
            self.state.changed()
            return self._build(op, op.success, {**values, **resource}, key)
        if op.collection is not None:  # an item path
            existing = resources.get(clean)
            if op.method == "delete":
                if existing is None:
                    return self._missing(op, path, values, key)
                del resources[clean]
                for other in [p for p in resources if p.startswith(clean + "/")]:
                    del resources[other]
                self.state.changed()
                return self._build(op, op.success, {**values, **existing}, key)
            if op.method == "patch":
                if existing is None:
                    return self._missing(op, path, values, key)
                merged = _merge_patch(existing, body)
                resources[clean] = merged
                self.state.changed()
                return self._build(op, op.success, {**values, **merged}, key)
            if op.method in ("put", "post"):
                if existing is None and op.method == "put":
                    if not op.declares(201) and op.declares(404):
                        return self._missing(op, path, values, key)
                resource = dict(body)
                if op.item_param and _lookup(resource, op.item_param) is MISSING:
                    resource[op.item_param] = values.get(op.item_param)
                resources[clean] = resource
                self.state.changed()
                status = "201" if existing is None and op.declares(201) else op.success
                return self._build(op, status, {**values, **resource}, key)
        owner = self._under_item(path)
        if owner is not None:
            return self._build(op, op.success, {**values, **resources[owner]}, key)
        if op.collection is None and op.item is None:
            return self._build(op, op.success, values or MISSING, key)
        return self._missing(op, path, values, key)


def _authenticated(op: RestOperation, request: Incoming) -> bool:
    """Whether the request carries every credential of one declared alternative (their
    values are not checked: the simulator knows no vendor's keys)."""
    for alternative in op.security:
        present = True
        for where, name in alternative:
            if where == "header":
                present = present and bool(request.headers.get(name.lower()))
            elif where == "query":
                present = present and bool(request.query_value(name))
            else:
                present = present and bool(request.cookie(name))
        if present:
            return True
    return False


def _concrete(media: str) -> str:
    """A media type an answer can carry: ``*/*`` and ``image/*`` are not one."""
    if media == "*/*":
        return "application/octet-stream"
    if media.endswith("/*"):
        return media[:-1] + "octet-stream"
    return media


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = _merge_patch(out.get(name), value)
    return out
