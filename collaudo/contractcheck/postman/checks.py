"""Postman checks: the format, requests without an error example, example bodies that are
not what their Content-Type says, and examples that violate the schema the request's own
test script asserts."""

from __future__ import annotations

from collections.abc import Iterator

from collaudo.contractcheck import patterns
from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Severity, pointer_join
from collaudo.contractcheck.openapi.schemas import pattern_finding
from collaudo.contractcheck.postman.loader import Collection, body_json, content_type
from collaudo.contractcheck.registry import check


@check(Kind.POSTMAN)
def loading(collection: Collection) -> Iterator[Finding]:
    """What reading the collection found."""
    yield from collection.findings


@check(Kind.POSTMAN)
def error_examples(collection: Collection) -> Iterator[Finding]:
    """Requests with no saved example at all, or none for an error answer (4xx/5xx)."""
    for request in collection.requests:
        examples = [e for e in request.item.get("response") or [] if isinstance(e, dict)]
        location = collection.location(request.pointer)
        if not examples:
            yield Finding(
                "postman-no-examples", Severity.WARNING, location, {"operation": request.name}
            )
        elif not any(isinstance(e.get("code"), int) and e["code"] >= 400 for e in examples):
            yield Finding(
                "no-error-answer", Severity.WARNING, location, {"operation": request.name}
            )


@check(Kind.POSTMAN)
def example_bodies(collection: Collection) -> Iterator[Finding]:
    """Example bodies against their Content-Type and the test script's JSON Schema."""
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import best_match

    for request in collection.requests:
        if request.schema is not None:
            for _pointer, pattern in _patterns(request.schema, ""):
                problem = patterns.ecma_problem(pattern)
                if problem is not None:
                    yield pattern_finding(
                        collection.location(request.pointer + "/event"), pattern, problem
                    )
        for index, example in enumerate(request.item.get("response") or []):
            if not isinstance(example, dict):
                continue
            pointer = pointer_join(request.pointer, "response", index)
            kind = content_type(example.get("header"))
            body = example.get("body")
            parsed = body_json(body)
            if "json" in kind and isinstance(body, str) and body.strip() and parsed is None:
                yield Finding(
                    "example-not-json",
                    Severity.WARNING,
                    collection.location(pointer_join(pointer, "body")),
                    {"operation": request.name, "example": str(example.get("name", index))},
                )
                continue
            code = example.get("code")
            if (
                request.schema is None
                or parsed is None
                or not (isinstance(code, int) and code < 300)
            ):
                continue
            try:
                error = best_match(Draft7Validator(request.schema).iter_errors(parsed))
            except Exception:  # a schema the script asserts but JSON Schema cannot compile
                continue
            if error is not None:
                where = "".join(f"/{p}" for p in error.absolute_path) or "/"
                yield Finding(
                    "example-invalid",
                    Severity.WARNING,
                    collection.location(pointer_join(pointer, "body")),
                    {
                        "schema": f"{request.name}: {request.schema_name} (test script)",
                        "message": f"{where}: {error.message[:300]}",
                    },
                )


def _patterns(node: object, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield pointer, value
            else:
                yield from _patterns(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _patterns(value, f"{pointer}/{index}")
