"""Loading findings and ``$ref``s that do not resolve, each at the line of the ``$ref``."""

from __future__ import annotations

from collections.abc import Iterator

from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Severity
from collaudo.contractcheck.openapi.loader import ApiSet, RefStatus
from collaudo.contractcheck.registry import check

_CODES = {
    RefStatus.UNRESOLVED: ("ref-unresolved", Severity.ERROR),
    RefStatus.OTHER_FILE: ("ref-other-file", Severity.ERROR),
    RefStatus.FILE_MISSING: ("ref-file-missing", Severity.ERROR),
    RefStatus.UNREADABLE: ("ref-unreadable", Severity.ERROR),
    RefStatus.NOT_FOLLOWED: ("ref-not-followed", Severity.WARNING),
}


@check(Kind.OPENAPI)
def loading(api: ApiSet) -> Iterator[Finding]:
    """What reading the files found (syntax, TABs, duplicate keys)."""
    yield from api.findings


@check(Kind.OPENAPI)
def references(api: ApiSet) -> Iterator[Finding]:
    """Each ``$ref`` that leads nowhere, to another file than it says, or out of bounds."""
    unreadable: dict[str, list[object]] = {}
    for use in api.refs:
        if use.status is RefStatus.OK:
            continue
        if use.status is RefStatus.UNREADABLE:
            # one finding per unreadable file, at its first $ref: the cause is reported once
            unreadable.setdefault(use.target_uri, []).append(use)
            if len(unreadable[use.target_uri]) > 1:
                continue
        code, severity = _CODES[use.status]
        source = api.files[use.source]
        target = api.files.get(use.target_uri)
        yield Finding(
            code,
            severity,
            source.location(use.pointer + "/$ref"),
            {
                "ref": use.ref,
                "found_in": use.found_in or "",
                "file": target.name if target else use.target_uri,
                "detail": use.detail,
                "count": str(
                    sum(
                        1
                        for u in api.refs
                        if u.target_uri == use.target_uri and u.status is RefStatus.UNREADABLE
                    )
                ),
            },
        )
