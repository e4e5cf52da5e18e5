"""Loading any contract: a WSDL, an OpenAPI 2/3.0/3.1 document (JSON or YAML, split over
files), or a Postman collection v2.1; by path or URL. Everything is compiled here, once."""

from __future__ import annotations

from typing import Any

from simulators.contractsim.bundle import bundle, parse_document
from simulators.contractsim.jsonschemas import SchemaSet
from simulators.contractsim.openapi import RestContract, base_path_of, operations
from simulators.contractsim.source import ContractUnreadable, Reader, absolute, relative_name
from simulators.contractsim.workarounds import Workaround

Contract = Any  # RestContract | SoapContract


class ContractInvalid(ContractUnreadable):
    """The file is read but is not a contract this simulator understands."""


def load(location: str, reader: Reader | None = None) -> Contract:
    """The contract at ``location`` (path or URL), compiled; raises
    :class:`ContractUnreadable` with what to do."""
    reader = reader or Reader()
    where = absolute(location)
    data = reader.read(where)
    head = data[:2048].lstrip()
    if head.startswith(b"<"):
        from simulators.contractsim.wsdl import load_wsdl

        return load_wsdl(reader, where)
    workarounds: list[Workaround] = []
    document = parse_document(data, where, workarounds.append)
    if not isinstance(document, dict):
        raise ContractInvalid(f"{where}: not an OpenAPI document, a WSDL or a Postman collection")
    name = relative_name(where, where)
    if _is_postman(document):
        from simulators.contractsim.postman import to_openapi as postman_to_openapi

        document = postman_to_openapi(document, name, workarounds.append)
        files = [where]
    else:
        document, files = bundle(reader, where, document, workarounds.append)
        if str(document.get("swagger", "")).startswith("2"):
            from simulators.contractsim.swagger2 import to_openapi as swagger_to_openapi

            document = swagger_to_openapi(document)
        elif not str(document.get("openapi", "")).startswith("3"):
            raise ContractInvalid(
                f"{where}: neither 'openapi: 3.x' nor 'swagger: 2.0' nor a Postman collection "
                "v2.1 (info.schema); check that this is the API's contract file (of a contract "
                "split over files, the root one: with 'openapi:' and 'paths:')"
            )
    if not isinstance(document.get("paths"), dict) or not document["paths"]:
        raise ContractInvalid(f"{where}: the contract declares no paths: nothing to serve")
    schemas = SchemaSet(document, name, workarounds.append)
    ops = operations(document, schemas)
    title = str((document.get("info") or {}).get("title") or name)
    return RestContract(
        name, title, base_path_of(document), document, schemas, ops, workarounds, files
    )


def _is_postman(document: dict[str, Any]) -> bool:
    info = document.get("info")
    schema = str(info.get("schema", "")) if isinstance(info, dict) else ""
    return "getpostman.com" in schema or ("item" in document and "paths" not in document)
