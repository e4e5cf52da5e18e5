"""JSON and YAML documents read strictly, keeping the line of every JSON pointer.

Both readers refuse what a strict parser refuses (a JSON syntax error; YAML that PyYAML's
safe loader rejects, e.g. a TAB where indentation is expected) with :class:`SyntaxProblem`
carrying the line and column. YAML timestamps stay strings (OpenAPI documents are JSON
data written as YAML; a date in an example is a string to a JSON Schema validator), and
mapping keys are strings (``200:`` is the status code "200"). Duplicate keys, which a
strict reader would refuse and a lenient one silently merges, are listed.
"""

from __future__ import annotations

import json
import json.decoder
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from collaudo.contractcheck.findings import pointer_join


class SyntaxProblem(ValueError):
    """The text is not well-formed; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int, *, tab: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.tab = tab


@dataclass
class TextDocument:
    """A parsed JSON/YAML document and the line of each pointer in it."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest enclosing node."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


# --- JSON ---------------------------------------------------------------------------------

# the C string scanner json itself uses (typeshed does not list it)
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


class _JsonReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.doc = TextDocument(None)
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, pos: int) -> int:
        import bisect

        return bisect.bisect_left(self._newlines, pos) + 1

    def fail(self, message: str, pos: int) -> SyntaxProblem:
        line = self.line_at(pos)
        start = self.text.rfind("\n", 0, pos) + 1
        return SyntaxProblem(message, line, pos - start + 1)

    def skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def value(self, pos: int, pointer: str) -> tuple[Any, int]:
        pos = self.skip(pos)
        self.doc.lines.setdefault(pointer, self.line_at(pos))
        if pos >= len(self.text):
            raise self.fail("unexpected end of document", pos)
        char = self.text[pos]
        if char == "{":
            return self.object(pos + 1, pointer)
        if char == "[":
            return self.array(pos + 1, pointer)
        if char == '"':
            try:
                return _scanstring(self.text, pos + 1, True)
            except json.JSONDecodeError as exc:
                raise self.fail(exc.msg, exc.pos) from exc
        for literal, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, pos):
                return result, pos + len(literal)
        match = _NUMBER.match(self.text, pos)
        if match:
            number = match.group()
            return (float(number) if any(c in number for c in ".eE") else int(number)), match.end()
        raise self.fail(f"unexpected character {char!r}", pos)

    def object(self, pos: int, pointer: str) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return out, pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                raise self.fail("expected a property name in double quotes", pos)
            key_pos = pos
            try:
                key, pos = _scanstring(self.text, pos + 1, True)
            except json.JSONDecodeError as exc:
                raise self.fail(exc.msg, exc.pos) from exc
            child = pointer_join(pointer, key)
            if key in out:
                self.doc.duplicate_keys.append((child, self.line_at(key_pos)))
            self.doc.lines[child] = self.line_at(key_pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail("expected ':' after the property name", pos)
            out[key], pos = self.value(pos + 1, child)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("}", pos):
                return out, pos + 1
            raise self.fail("expected ',' or '}'", pos)

    def array(self, pos: int, pointer: str) -> tuple[list[Any], int]:
        out: list[Any] = []
        pos = self.skip(pos)
        if self.text.startswith("]", pos):
            return out, pos + 1
        while True:
            item, pos = self.value(pos, pointer_join(pointer, len(out)))
            out.append(item)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("]", pos):
                return out, pos + 1
            raise self.fail("expected ',' or ']'", pos)


def read_json(text: str) -> TextDocument:
    """Parse JSON strictly (RFC 8259), recording each pointer's line."""
    reader = _JsonReader(text.lstrip("\ufeff"))
    data, pos = reader.value(0, "")
    pos = reader.skip(pos)
    if pos != len(reader.text):
        raise reader.fail("extra data after the document", pos)
    reader.doc.data = data
    return reader.doc


# --- YAML ---------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without the timestamp type (dates stay strings)."""


_StrictLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


def read_yaml(text: str) -> TextDocument:
    """Parse YAML with the safe loader, recording each pointer's line; anchors and aliases
    are expanded as usual."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = exc.problem or str(exc)
        lines = text.splitlines()
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        tab = "\t" in problem or "tab" in problem.lower() or bad_line.startswith("\t")
        raise SyntaxProblem(problem, line, column, tab=tab) from exc
    except yaml.YAMLError as exc:
        raise SyntaxProblem(str(exc), 1, 1) from exc
    finally:
        loader.dispose()
    doc = TextDocument(None)
    if node is None:
        return doc
    doc.data = _construct(node, "", doc, _StrictLoader(""))
    return doc


def _construct(node: yaml.Node, pointer: str, doc: TextDocument, loader: yaml.SafeLoader) -> Any:
    doc.lines.setdefault(pointer, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merges "<<" keys
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            raw_key = loader.construct_object(key_node, deep=True)
            key = str(raw_key).lower() if isinstance(raw_key, bool) else str(raw_key)
            child = pointer_join(pointer, key)
            if key in out:
                doc.duplicate_keys.append((child, key_node.start_mark.line + 1))
            doc.lines[child] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, child, doc, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, pointer_join(pointer, i), doc, loader)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
