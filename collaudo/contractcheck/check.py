"""The entry point: check one or more documents of an intermediary's contract."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from collaudo.contractcheck import mapping
from collaudo.contractcheck.detect import Kind, detect
from collaudo.contractcheck.findings import ContractInputError, Finding, Severity
from collaudo.contractcheck.openapi import examples as _examples  # noqa: F401  (registers)
from collaudo.contractcheck.openapi import loader as openapi_loader
from collaudo.contractcheck.openapi import operations as openapi_operations
from collaudo.contractcheck.openapi import refs as _refs  # noqa: F401
from collaudo.contractcheck.openapi import schemas as _schemas  # noqa: F401
from collaudo.contractcheck.openapi import strict as _strict  # noqa: F401
from collaudo.contractcheck.operations import Operation
from collaudo.contractcheck.postman import checks as _postman_checks  # noqa: F401
from collaudo.contractcheck.postman import loader as postman_loader
from collaudo.contractcheck.registry import run_checks
from collaudo.contractcheck.sources import Reader, display_name, is_url, read_root
from collaudo.contractcheck.wsdl import checks as _wsdl_checks  # noqa: F401
from collaudo.contractcheck.wsdl import loader as wsdl_loader
from collaudo.contractcheck.wsdl import operations as wsdl_operations
from collaudo.contractcheck.wsdl import strict as _wsdl_strict  # noqa: F401


@dataclass
class DocumentReport:
    """The findings and operations of one document given by the user."""

    source: str
    name: str
    kind: Kind
    findings: list[Finding]
    operations: list[Operation]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def loads_strictly(self) -> bool:
        return self.count(Severity.ERROR) == 0


@dataclass
class CheckReport:
    """Every document's findings and the five-operation mapping over all of them."""

    documents: list[DocumentReport] = field(default_factory=list)
    mapping: dict[str, mapping.VerbMapping] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # inputs skipped, with the reason

    @property
    def exit_code(self) -> int:
        """2 when an input could not be checked, 1 when a document has an error (it does
        not load strictly), else 0."""
        if self.unreadable:
            return 2
        return 1 if any(not d.loads_strictly for d in self.documents) else 0


def _load(
    kind: Kind, reader: Reader, uri: str, data: bytes, names: Callable[[str], str]
) -> tuple[object, list[Operation]]:
    if kind is Kind.OPENAPI:
        api = openapi_loader.load(reader, uri, data, names)
        return api, openapi_operations.operations(api)
    if kind is Kind.POSTMAN:
        collection = postman_loader.load(uri, data, names)
        return collection, postman_loader.operations(collection)
    xml = wsdl_loader.load(reader, uri, data, names)
    return xml, wsdl_operations.operations(xml)


def _common_dir(locations: Sequence[str]) -> Path:
    """The folder the local documents share: files are named relative to it in reports
    (``components/schemas.yaml``), as the vendor knows them."""
    parents = [str(Path(loc).expanduser().resolve().parent) for loc in locations if not is_url(loc)]
    return Path(os.path.commonpath(parents)) if parents else Path.cwd()


def check_contracts(
    locations: Sequence[str],
    *,
    transport: httpx.BaseTransport | None = None,
    base_dir: Path | None = None,
    keep_going: bool = False,
) -> CheckReport:
    """Check each FILE|URL in ``locations`` (documents of one intermediary) and map the five
    operations over all of them. :class:`~collaudo.contractcheck.findings.ContractInputError`
    when one cannot be read or is not a contract — or, with ``keep_going``, the reason in
    :attr:`CheckReport.unreadable` and the other documents still checked."""
    reader = Reader(list(locations), transport=transport)
    base = base_dir or _common_dir(locations)

    def names(uri: str) -> str:
        return display_name(uri, base)

    report = CheckReport()
    every_operation: list[Operation] = []
    for location in locations:
        try:
            uri, data = read_root(reader, location)
            kind = detect(data, location)
        except ContractInputError as exc:
            if not keep_going:
                raise
            report.unreadable.append(str(exc))
            continue
        contract, operations = _load(kind, reader, uri, data, names)
        findings = sorted(run_checks(kind, contract, names(uri)), key=Finding.sort_key)
        report.documents.append(DocumentReport(location, names(uri), kind, findings, operations))
        every_operation += operations
    report.mapping = mapping.map_operations(every_operation)
    return report
