"""Safe XML parsing for what intermediaries send back, and small lookup helpers.

Answers from an intermediary are untrusted: DTDs, entities and network access are
forbidden, a DOCTYPE is refused outright and the size is bounded.
"""

from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 4 * 1024 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
)


class UnsafeXML(ValueError):
    """The document is not well-formed, too large, or carries a DTD or entities."""


def parse_xml(data: bytes, *, what: str = "document") -> etree._Element:
    """Parse ``data`` safely; :class:`UnsafeXML` names ``what`` and the reason."""
    if len(data) > MAX_XML_BYTES:
        raise UnsafeXML(f"{what}: {len(data)} bytes exceeds the limit of {MAX_XML_BYTES}")
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXML(f"{what} is not well-formed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXML(f"{what} carries a DOCTYPE: DTDs and entities are refused")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise UnsafeXML(f"{what} carries entity references: refused")
    return root


def local(tag: object) -> str:
    """The local name of an element tag (``{ns}name`` → ``name``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def first(root: etree._Element, name: str) -> etree._Element | None:
    """The first descendant (or ``root`` itself) whose local name is ``name``."""
    for node in root.iter():
        if local(node.tag) == name:
            return node
    return None


def all_named(root: etree._Element, name: str) -> list[etree._Element]:
    return [node for node in root.iter() if local(node.tag) == name]


def text_of(root: etree._Element, name: str) -> str | None:
    """Stripped text of the first descendant named ``name``, or None when absent/empty."""
    node = first(root, name)
    if node is None or node.text is None:
        return None
    value: str = node.text.strip()
    return value or None


def child_text(node: etree._Element, name: str) -> str | None:
    """Stripped text of a direct child named ``name``."""
    for child in node:
        if local(child.tag) == name and child.text is not None:
            value: str = child.text.strip()
            return value or None
    return None
