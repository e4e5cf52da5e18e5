"""The operations of a contract, in one shape for SOAP, REST and Postman: what the
five-operation mapping reads and what a driver scaffold needs to call one."""

from __future__ import annotations

from dataclasses import dataclass, field

from collaudo.contractcheck.findings import Location


@dataclass(frozen=True)
class Operation:
    """One operation of the contract.

    ``request_fields``/``response_fields`` are the property or element names the request
    and the successful answer carry (nested ones included, a few levels deep);
    ``response_media`` the content types of the successful answers (``application/pdf``,
    ``text/xml`` for SOAP); ``redirects`` whether a 3xx with ``Location`` is the answer.
    """

    kind: str  # "soap" | "rest"
    name: str  # operationId, SOAP operation, or Postman request name
    location: Location
    method: str | None = None
    path: str | None = None
    soap_action: str | None = None
    summary: str = ""
    request_fields: tuple[str, ...] = ()
    path_params: tuple[str, ...] = ()
    response_fields: tuple[str, ...] = ()
    response_media: tuple[str, ...] = ()
    redirects: bool = False
    error_answers: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())
    success_codes: tuple[str, ...] = ()
    server: str = ""  # the first OpenAPI server / Swagger host+basePath / soap:address

    @property
    def label(self) -> str:
        """How a person names it: ``POST /carts (PostCarts)`` or ``paaSILImportaDovuto``."""
        if self.kind == "rest" and self.method and self.path:
            named = f" ({self.name})" if self.name and self.name != self.path else ""
            return f"{self.method} {self.path}{named}"
        return self.name

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "label": self.label,
            "method": self.method,
            "path": self.path,
            "soap_action": self.soap_action,
            "file": self.location.file,
            "line": self.location.line,
            "pointer": self.location.pointer,
            "request_fields": list(self.request_fields),
            "response_fields": list(self.response_fields),
            "response_media": list(self.response_media),
            "path_params": list(self.path_params),
            "redirects": self.redirects,
            "error_answers": list(self.error_answers),
            "success_codes": list(self.success_codes),
            "server": self.server,
        }
