"""One self-contained OpenAPI document out of files that ``$ref`` each other.

A reference into another file's ``/components/<section>/<name>`` (or Swagger 2's
``/definitions/<name>``, ``/parameters/..``, ``/responses/..``) is hoisted into this
document's own section and pointed to locally; any other external reference (a whole file,
a bare pointer) is inlined, unless it is recursive, in which case it is hoisted into the
schemas. The result is what ``/openapi.json`` serves and what validators compile.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import yaml

from simulators.contractsim.source import ContractUnreadable, Reader, join, relative_name
from simulators.contractsim.workarounds import Workaround

_LEADING_TABS = re.compile(r"^[ ]*\t[ \t]*", re.M)


def parse_document(
    data: bytes, location: str, report: Callable[[Workaround], None] | None = None
) -> Any:
    """JSON or YAML (safe loader: no Python objects). YAML indented with tabs, which YAML
    forbids, is read with the tabs as 8-column stops, reported through ``report``."""
    text = data.decode("utf-8-sig", errors="replace")
    try:
        if text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        error = exc
    if isinstance(error, yaml.YAMLError) and _LEADING_TABS.search(text):
        lines = [n + 1 for n, line in enumerate(text.splitlines()) if _LEADING_TABS.match(line)]
        expanded = _LEADING_TABS.sub(lambda m: m.group(0).expandtabs(8), text)
        try:
            document = yaml.safe_load(expanded)
        except yaml.YAMLError:
            pass
        else:
            if report is not None:
                shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
                report(
                    Workaround(
                        location.rsplit("/", 1)[-1],
                        f"line {shown}",
                        "indented with tabs, which YAML does not allow",
                        "tabs read as 8-column stops",
                    )
                )
            return document
    raise ContractUnreadable(f"{location}: neither valid JSON nor YAML ({error})") from error


def pointer_get(document: Any, pointer: str, where: str) -> Any:
    node = document
    for raw in [p for p in pointer.split("/") if p != ""]:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ContractUnreadable(f"{where}: $ref target #{pointer} does not exist")
    return node


_SWAGGER_SECTIONS = {"definitions", "parameters", "responses"}


class Bundler:
    def __init__(
        self,
        reader: Reader,
        root: str,
        root_doc: dict[str, Any],
        report: Callable[[Workaround], None] | None = None,
    ) -> None:
        self.report = report
        self.reader = reader
        self.root = root
        self.docs: dict[str, Any] = {root: root_doc}
        self.swagger = "swagger" in root_doc
        self.hoisted: dict[tuple[str, str], str] = {}
        self.taken: set[tuple[str, str]] = set()
        self.original = root_doc
        self.out: dict[str, Any] = {}  # hoisted components, merged in at the end
        self.inlining: list[tuple[str, str]] = []
        self.files: list[str] = [root]

    def doc(self, location: str, where: str) -> Any:
        if location not in self.docs:
            try:
                data = self.reader.read(location)
            except ContractUnreadable as exc:
                raise ContractUnreadable(f"{where}: $ref to {location}: {exc}") from exc
            self.docs[location] = parse_document(data, location, self.report)
            self.files.append(location)
        return self.docs[location]

    def section_of(self, pointer: str) -> tuple[list[str], str] | None:
        parts = [p for p in pointer.split("/") if p]
        if len(parts) == 3 and parts[0] == "components":
            return ["components", parts[1]], parts[2]
        if len(parts) == 2 and parts[0] in _SWAGGER_SECTIONS:
            return [parts[0]], parts[1]
        return None

    def container(self, path: list[str]) -> dict[str, Any]:
        node = self.out
        for part in path:
            node = node.setdefault(part, {})
        return node

    def hoist(self, location: str, pointer: str, path: list[str], name: str) -> str:
        key = (location, pointer)
        if key in self.hoisted:
            return self.hoisted[key]
        container = self.container(path)
        own: Any = self.original
        for part in path:
            own = own.get(part, {}) if isinstance(own, dict) else {}
        candidate, counter = name, 1
        while (
            ("/".join(path), candidate) in self.taken or candidate in container or candidate in own
        ):
            counter += 1
            candidate = f"{name}_{counter}"
        self.taken.add(("/".join(path), candidate))
        local = "#/" + "/".join(path) + "/" + candidate.replace("~", "~0").replace("/", "~1")
        self.hoisted[key] = local
        container[candidate] = None  # reserved before recursing (cycles)
        target = pointer_get(self.doc(location, location), pointer, location)
        container[candidate] = self.walk(copy.deepcopy(target), location)
        return local

    def resolve(self, ref: str, location: str) -> Any:
        file_part, _, pointer = ref.partition("#")
        target_file = join(location, file_part) if file_part else location
        if target_file == self.root:
            return {"$ref": "#" + pointer}
        where = f"{relative_name(self.root, location)}: $ref {ref}"
        self.doc(target_file, where)
        section = self.section_of(pointer)
        if section is not None:
            path, name = section
            return {"$ref": self.hoist(target_file, pointer, path, name)}
        key = (target_file, pointer)
        if key in self.inlining:  # recursive: give it a name instead
            stem = relative_name(self.root, target_file).rsplit(".", 1)[0].replace("/", "_")
            name = (stem + "_" + pointer.strip("/").replace("/", "_")).strip("_")
            path = ["definitions"] if self.swagger else ["components", "schemas"]
            return {"$ref": self.hoist(target_file, pointer, path, name)}
        self.inlining.append(key)
        try:
            target = pointer_get(self.docs[target_file], pointer, where)
            return self.walk(copy.deepcopy(target), target_file)
        finally:
            self.inlining.pop()

    def walk(self, node: Any, location: str) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (location != self.root or not ref.startswith("#")):
                resolved = self.resolve(ref, location)
                if isinstance(resolved, dict) and len(node) > 1:
                    siblings = {k: self.walk(v, location) for k, v in node.items() if k != "$ref"}
                    return {**resolved, **siblings}
                return resolved
            return {
                # An example is data, not the contract: a "$ref" key in it stays as written.
                key: value if key == "example" and location == self.root
                else self.walk(value, location)
                for key, value in node.items()
            }  # fmt: skip
        if isinstance(node, list):
            return [self.walk(item, location) for item in node]
        return node


def bundle(
    reader: Reader,
    location: str,
    document: dict[str, Any],
    report: Callable[[Workaround], None] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """``document`` (read from ``location``) with every external ``$ref`` brought in; the
    files it read, root first."""
    bundler = Bundler(reader, location, document, report)
    walked = bundler.walk(document, location)
    for key, value in bundler.out.items():
        if key not in walked:
            walked[key] = value
        elif isinstance(value, dict) and isinstance(walked[key], dict):
            _merge_sections(walked[key], value)
    return walked, bundler.files


def _merge_sections(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if key not in target:
            target[key] = value
        elif isinstance(value, dict) and isinstance(target[key], dict):
            _merge_sections(target[key], value)
