"""The document through openapi-spec-validator, as a strict tool reads it.

The validator is given the files collaudo read (never the network): a file that a strict
parser rejects is unreadable to it too, as it would be to any strict tool.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Location, Severity, pointer_join
from collaudo.contractcheck.openapi.loader import ApiSet
from collaudo.contractcheck.registry import check

VALIDATOR = "openapi-spec-validator"
MAX_REPORTED = 50


def _handler(api: ApiSet) -> Any:
    def read(uri: str) -> Any:
        spec = api.files.get(uri.split("#", 1)[0])
        if spec is None or spec.text is None or spec.problem is not None:
            raise OSError(f"{uri}: not readable by a strict parser")
        return spec.data

    return read


def _sentence(error: Any) -> str:
    from jsonschema.exceptions import best_match

    if getattr(error, "context", None):
        error = best_match(error.context) or error
    message = str(getattr(error, "message", error)).splitlines()[0]
    if message[:1] in "{[" and " is not " in message:
        # the validator quotes the whole node; the pointer already says which one
        message = "the node" + message[message.rfind(" is not ") :]
    return message[:400]


def _cause(api: ApiSet, pointer: str) -> str:
    """A pattern below ``pointer`` that is not ECMA-262: the usual reason why the validator
    rejects a whole parameter or schema with a vague "not valid under any of the schemas"."""
    from collaudo.contractcheck.patterns import ecma_problem

    found, node = api.lookup(api.root, pointer)
    stack = [node] if found else []
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            pattern = item.get("pattern")
            if isinstance(pattern, str) and ecma_problem(pattern) is not None:
                return pattern
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return ""


@check(Kind.OPENAPI)
def strict_validation(api: ApiSet) -> Iterator[Finding]:
    """Whether the document loads in openapi-spec-validator, and every error it gives."""
    if not isinstance(api.data, dict) or api.root_file.problem is not None:
        return
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    root = api.root_file
    try:
        cls = get_validator_cls(api.data)
    except ValidatorDetectError:
        yield Finding(
            "strict-version",
            Severity.ERROR,
            root.location(""),
            {"value": str(api.data.get("openapi", api.data.get("swagger", "")))},
        )
        return
    handler = _handler(api)
    handlers = {"<all_urls>": handler, "file": handler, "http": handler, "https": handler}
    path = SchemaPath.from_dict(api.data, base_uri=api.root, handlers=handlers)
    seen: set[tuple[str, str]] = set()
    try:
        for error in cls(path).iter_errors():
            pointer = pointer_join("", *[str(p) for p in error.absolute_path])
            message = _sentence(error)
            if (pointer, message) in seen:
                continue
            seen.add((pointer, message))
            if len(seen) > MAX_REPORTED:
                break
            yield Finding(
                "strict-invalid",
                Severity.ERROR,
                root.location(pointer),
                {"validator": VALIDATOR, "message": message, "cause": _cause(api, pointer)},
            )
    except Exception as exc:  # the validator stops on what it cannot resolve or read
        yield Finding(
            "strict-stopped",
            Severity.ERROR,
            Location(root.name),
            {
                "validator": VALIDATOR,
                "message": f"{type(exc).__name__}: {str(exc).split(' within {')[0][:300]}",
            },
        )
