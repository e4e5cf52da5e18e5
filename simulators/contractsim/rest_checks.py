"""Checking a REST request against its operation: path, query, header and cookie
parameters (read as their schema's type, then validated) and the body (content type, JSON,
schema). The first broken rule is raised as :class:`Invalid`, naming the rule."""

from __future__ import annotations

import json
from typing import Any

from simulators.contractsim.jsongen import MISSING
from simulators.contractsim.jsonschemas import SchemaSet, first_error
from simulators.contractsim.openapi import Parameter, RestOperation
from simulators.contractsim.wire import Incoming


class Invalid(Exception):
    """A request that breaks the contract: the rule, the detail, where (path, query, body)."""

    def __init__(self, rule: str, detail: str, location: str) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.location = location


def _read(text: str, kind: str) -> Any:
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ValueError("not a boolean (true or false)")
        return text.lower() == "true"
    return text


def _check(param: Parameter, value: Any, label: str) -> None:
    if param.simple is not None and isinstance(value, str):
        if param.simple.search(value):
            return
    if param.validator is None:
        return
    error = first_error(param.validator, value)
    if error is not None:
        raise Invalid(
            f"{param.location} parameter {param.name}", f"{label}: {error}", param.location
        )


def validate(
    op: RestOperation,
    request: Incoming,
    path_params: dict[str, str],
    body: bytes,
    schemas: SchemaSet,
) -> tuple[dict[str, Any], Any]:
    """The request's parameter values (read by their schema's type) and its parsed body;
    :class:`Invalid` names the first rule it breaks."""
    values: dict[str, Any] = {}
    for param in op.parameters:
        raw: list[str]
        if param.location == "path":
            raw = [path_params.get(param.name, "")]
        elif param.location == "query":
            raw = request.query_list(param.name)
        elif param.location == "header":
            found = request.headers.get(param.name.lower())
            raw = [found] if found is not None else []
        elif param.location == "cookie":
            found = request.cookie(param.name)
            raw = [found] if found is not None else []
        else:
            continue
        label = f"{param.location} parameter {param.name!r}"
        if not raw:
            if param.required:
                raise Invalid(
                    f"{label} is required", f"{label} is required but missing", param.location
                )
            continue
        try:
            if param.kind == "array":
                items = raw if len(raw) > 1 else raw[0].split(",")
                value: Any = [_read(item, param.item_kind) for item in items]
            elif param.kind == "object":
                value = raw[0]
            else:
                value = _read(raw[0], param.kind)
        except ValueError:
            raise Invalid(
                f"{label} type {param.kind}",
                f"{label}: {raw[0]!r} is not a {param.kind}",
                param.location,
            ) from None
        if param.kind != "object":
            _check(param, value, label)
        values[param.name] = value
    parsed: Any = MISSING
    if op.body:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not body.strip():
            if op.body_required:
                raise Invalid(
                    "request body is required", "the request body is required but empty", "body"
                )
            return values, parsed
        media = _media(op, content_type)
        if media is None:
            raise Invalid(
                "request content type",
                f"content type {content_type or '(none)'} is not declared; "
                f"use one of {', '.join(op.body)}",
                "body",
            )
        if "json" in media:
            try:
                parsed = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise Invalid(
                    "request body is JSON", f"the request body is not JSON: {exc}", "body"
                ) from None
            error = first_error(schemas.validator("request", op.body[media]), parsed)
            if error is not None:
                raise Invalid("request body schema", f"request body {error}", "body")
        else:
            parsed = body.decode("utf-8", "replace")
    return values, parsed


def _media(op: RestOperation, content_type: str) -> str | None:
    for media in op.body:
        if media.lower() == content_type:
            return media
    for media in op.body:
        main = media.split("/")[0]
        if media in ("*/*", f"{main}/*") or ("json" in media and "json" in content_type):
            return media
    if not content_type:
        return next(iter(op.body))
    return None
