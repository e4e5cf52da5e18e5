"""An OpenAPI document and every file its ``$ref``s reach, with each reference resolved.

Each file is parsed strictly (:mod:`collaudo.contractcheck.textdoc`). A YAML file a strict
parser rejects only because of TAB characters is read a second time with the TABs turned
into spaces, so the other checks still see its content; the strict failure stays an error.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag

from collaudo.contractcheck.findings import Finding, Location, Severity, pointer_parts
from collaudo.contractcheck.sources import Reader, Refused, resolve
from collaudo.contractcheck.textdoc import SyntaxProblem, TextDocument, read_json, read_yaml


class RefStatus(enum.Enum):
    OK = "ok"
    UNRESOLVED = "unresolved"  # the target does not exist
    OTHER_FILE = "other_file"  # a local ref whose target exists only in another file
    FILE_MISSING = "file_missing"
    NOT_FOLLOWED = "not_followed"  # outside what may be read
    UNREADABLE = "unreadable"  # the file exists but does not parse


@dataclass
class SpecFile:
    """One file of the set."""

    uri: str
    name: str
    text: TextDocument | None = None
    problem: SyntaxProblem | None = None
    lenient: bool = False  # read only after replacing TABs

    @property
    def data(self) -> Any:
        return self.text.data if self.text else None

    def location(self, pointer: str) -> Location:
        line = self.text.line_of(pointer) if self.text else None
        return Location(self.name, line, pointer or "/")


@dataclass
class RefUse:
    """One ``$ref`` and where it leads."""

    source: str  # uri of the file holding it
    pointer: str  # where the $ref object is
    ref: str
    target_uri: str
    target_pointer: str
    status: RefStatus = RefStatus.OK
    found_in: str | None = None  # OTHER_FILE: the file that has the target
    detail: str = ""


@dataclass
class ApiSet:
    """The root document, the files it reaches and every reference between them."""

    root: str
    files: dict[str, SpecFile] = field(default_factory=dict)
    refs: list[RefUse] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def root_file(self) -> SpecFile:
        return self.files[self.root]

    @property
    def data(self) -> Any:
        return self.root_file.data

    @property
    def version(self) -> str:
        data = self.data if isinstance(self.data, dict) else {}
        if "swagger" in data:
            return "2.0"
        return "3.1" if str(data.get("openapi", "")).startswith("3.1") else "3.0"

    def lookup(self, uri: str, pointer: str) -> tuple[bool, Any]:
        """Whether ``pointer`` exists in the file ``uri``, and the value there."""
        spec = self.files.get(uri)
        if spec is None or spec.text is None:
            return False, None
        return _walk(spec.data, pointer)

    def deref(self, uri: str, node: Any, depth: int = 0) -> tuple[str, str, Any] | None:
        """Follow ``node``'s ``$ref`` chain (if any): (uri, pointer, value) of the target,
        or None when it does not resolve. A node without $ref is returned as it is."""
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return uri, "", node
        if depth > 32:
            return None
        file_part, fragment = urldefrag(node["$ref"])
        target = resolve(uri, file_part) if file_part else uri
        pointer = unquote(fragment)
        found, value = self.lookup(target, pointer)
        if not found:
            return None
        if isinstance(value, dict) and "$ref" in value:
            return self.deref(target, value, depth + 1)
        return target, pointer, value

    def walk(self) -> Iterator[tuple[SpecFile, str, Any]]:
        """Every (file, pointer, node) of every readable file, depth first."""
        for spec in self.files.values():
            if spec.text is not None:
                yield from _nodes(spec, "", spec.data)


def _nodes(spec: SpecFile, pointer: str, node: Any) -> Iterator[tuple[SpecFile, str, Any]]:
    yield spec, pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(
                spec, pointer + "/" + key.replace("~", "~0").replace("/", "~1"), value
            )
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(spec, f"{pointer}/{index}", value)


def _walk(data: Any, pointer: str) -> tuple[bool, Any]:
    node = data
    for part in pointer_parts(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _parse(spec: SpecFile, raw: bytes) -> None:
    text = raw.decode("utf-8-sig", errors="replace")
    reader = read_json if text.lstrip().startswith(("{", "[")) else read_yaml
    try:
        spec.text = reader(text)
        return
    except SyntaxProblem as problem:
        spec.problem = problem
    if "\t" in text and reader is read_yaml:
        try:
            spec.text = read_yaml(_untabbed(text))
            spec.lenient = True
        except SyntaxProblem:
            spec.text = None


def _untabbed(text: str) -> str:
    """``text`` with each line's leading TABs replaced by the previous line's indentation
    (and any other TAB by a space): what the author meant, for the checks that follow."""
    out: list[str] = []
    indent = ""
    for line in text.split("\n"):
        stripped = line.lstrip(" \t")
        if line.startswith("\t") or (line[: len(line) - len(stripped)].count("\t")):
            line = indent + stripped
        if stripped:
            indent = line[: len(line) - len(line.lstrip(" "))]
        out.append(line.replace("\t", " "))
    return "\n".join(out)


def load(reader: Reader, root_uri: str, root_bytes: bytes, names: Callable[[str], str]) -> ApiSet:
    """Read the root document and every file its references reach. ``names(uri)`` gives
    the name a report shows for a file."""
    api = ApiSet(root_uri)
    queue = [(root_uri, root_bytes)]
    while queue:
        uri, raw = queue.pop()
        spec = SpecFile(uri, names(uri))
        api.files[uri] = spec
        _parse(spec, raw)
        if spec.problem is not None:
            p = spec.problem
            api.findings.append(
                Finding(
                    "yaml-tab" if p.tab else "syntax",
                    Severity.ERROR,
                    Location(spec.name, p.line, None),
                    {
                        "column": str(p.column),
                        "problem": p.message,
                        "lenient": "yes" if spec.lenient else "no",
                    },
                )
            )
        for pointer, line in spec.text.duplicate_keys if spec.text else []:
            api.findings.append(
                Finding(
                    "duplicate-key",
                    Severity.ERROR,
                    Location(spec.name, line, pointer),
                    {"key": pointer_parts(pointer)[-1]},
                )
            )
        for _, pointer, node in _nodes(spec, "", spec.data) if spec.text else []:
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                continue
            ref = node["$ref"]
            file_part, fragment = urldefrag(ref)
            target = resolve(uri, file_part) if file_part else uri
            use = RefUse(uri, pointer, ref, target, unquote(fragment))
            api.refs.append(use)
            if target in api.files or any(target == q for q, _ in queue):
                continue
            try:
                queue.append((target, reader.read(target)))
            except Refused:
                use.status = RefStatus.NOT_FOLLOWED
            except FileNotFoundError:
                use.status, use.detail = RefStatus.FILE_MISSING, names(target)
            except OSError as exc:
                use.status, use.detail = RefStatus.FILE_MISSING, str(exc)
    _settle(api)
    return api


def _settle(api: ApiSet) -> None:
    """Mark every reference that does not resolve, and how."""
    for use in api.refs:
        if use.status is not RefStatus.OK:
            continue
        target = api.files.get(use.target_uri)
        if target is None:
            use.status = RefStatus.FILE_MISSING
            continue
        if target.text is None:
            use.status = RefStatus.UNREADABLE
            continue
        found, _ = _walk(target.data, use.target_pointer)
        if found:
            continue
        use.status = RefStatus.UNRESOLVED
        if use.ref.startswith("#"):
            for other in api.files.values():
                if other.uri != use.source and other.text is not None:
                    if _walk(other.data, use.target_pointer)[0]:
                        use.status, use.found_in = RefStatus.OTHER_FILE, other.name
                        break
