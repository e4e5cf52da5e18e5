"""The schemas of a WSDL contract (its inline schemas and every XSD they reach) compiled
together: by lxml, to validate requests fast, and by xmlschema, to generate answers from its
component model.

Everything is written to a temporary folder with ``schemaLocation``s rewritten to it (and
imports without a location pointed at the schema of their namespace), behind one wrapper
schema importing every namespace; several documents of one namespace are gathered by an
include-only schema. A schema using a namespace prefix it never imports gets the import, and
a :class:`Workaround` says so.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from lxml import etree

from simulators.contractsim.source import ContractUnreadable, join, relative_name
from simulators.contractsim.workarounds import Workaround

XSD = "http://www.w3.org/2001/XMLSchema"
XML_NS = "http://www.w3.org/XML/1998/namespace"
QNAME_ATTRIBUTES = ("type", "base", "ref", "itemType", "substitutionGroup", "refer")
REFERENCES = (f"{{{XSD}}}import", f"{{{XSD}}}include", f"{{{XSD}}}redefine")


def _used_namespaces(schema: etree._Element) -> dict[str, str]:
    """Namespaces the schema's QName attributes point into -> an example of the use."""
    used: dict[str, str] = {}
    for node in schema.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute in QNAME_ATTRIBUTES:
            value = node.get(attribute)
            if value and ":" in value:
                prefix = value.split(":", 1)[0]
                namespace = node.nsmap.get(prefix)
                if namespace:
                    used.setdefault(namespace, value)
        members = node.get("memberTypes")
        for value in (members or "").split():
            prefix = value.split(":", 1)[0] if ":" in value else None
            namespace = node.nsmap.get(prefix)
            if namespace:
                used.setdefault(namespace, value)
    return used


def compile_schemas(
    root: str,
    wsdls: list[tuple[str, etree._Element]],
    external: dict[str, etree._Element],
    workarounds: list[Workaround],
) -> tuple[etree.XMLSchema, Any]:
    """Every schema (inline and external) in a temporary folder with locations rewritten to
    it, a wrapper importing every namespace, compiled by lxml and by xmlschema."""
    import xmlschema

    name = relative_name(root, root)

    schemas: list[tuple[str, str, etree._Element]] = []  # (origin for messages, location, doc)
    for location, wsdl in wsdls:
        for position, inline in enumerate(wsdl.iter(f"{{{XSD}}}schema")):
            nsmap = {k: v for k, v in {**wsdl.nsmap, **inline.nsmap}.items() if k}
            lifted = etree.Element(f"{{{XSD}}}schema", nsmap={**nsmap, "xsd": XSD})
            for key, value in inline.attrib.items():
                lifted.set(key, value)
            lifted.extend(copy.deepcopy(child) for child in inline)
            schemas.append(
                (
                    f"{relative_name(root, location)} inline schema {position + 1}",
                    location,
                    lifted,
                )
            )
    for location, document in external.items():
        schemas.append((relative_name(root, location), location, copy.deepcopy(document)))

    names = {id(doc): f"s{i}.xsd" for i, (_, _, doc) in enumerate(schemas)}
    by_location = {loc: names[id(doc)] for _, loc, doc in schemas if loc in external}
    by_namespace: dict[str, list[str]] = {}
    for _, _, doc in schemas:
        by_namespace.setdefault(doc.get("targetNamespace", ""), []).append(names[id(doc)])

    with tempfile.TemporaryDirectory(prefix="collaudo-contract-") as folder:
        base = Path(folder)
        files: dict[str, etree._Element] = {}
        for namespace, members in by_namespace.items():
            if len(members) > 1:  # several documents of one namespace: one to import them all
                aggregate = etree.Element(f"{{{XSD}}}schema", nsmap={"xsd": XSD})
                if namespace:
                    aggregate.set("targetNamespace", namespace)
                for member in members:
                    etree.SubElement(aggregate, f"{{{XSD}}}include", schemaLocation=member)
                files[f"ns{len(files)}.xsd"] = aggregate
                by_namespace[namespace] = [f"ns{len(files) - 1}.xsd"]
        for origin, location, doc in schemas:
            namespace = doc.get("targetNamespace", "")
            imported = {ref.get("namespace", "") for ref in doc if ref.tag == f"{{{XSD}}}import"}
            for ref in doc:
                if ref.tag not in REFERENCES:
                    continue
                target = ref.get("schemaLocation")
                if target:
                    resolved = join(location, target)
                    if resolved in by_location:
                        ref.set("schemaLocation", by_location[resolved])
                    elif ref.get("namespace") not in by_namespace:
                        ref.attrib.pop("schemaLocation")
                elif ref.tag == f"{{{XSD}}}import" and ref.get("namespace", "") in by_namespace:
                    ref.set("schemaLocation", by_namespace[ref.get("namespace", "")][0])
            for used, example in _used_namespaces(doc).items():
                if used in (XSD, XML_NS, namespace) or used in imported:
                    continue
                element = etree.Element(f"{{{XSD}}}import", namespace=used)
                if used in by_namespace:
                    element.set("schemaLocation", by_namespace[used][0])
                doc.insert(0, element)
                imported.add(used)
                workarounds.append(
                    Workaround(
                        origin,
                        f"schema {namespace or '(no namespace)'}",
                        f"uses {example} (namespace {used}) without importing that namespace",
                        "the import is added in memory",
                    )
                )
            files[names[id(doc)]] = doc
        wrapper = etree.Element(f"{{{XSD}}}schema", nsmap={"xsd": XSD})
        for namespace, members in by_namespace.items():
            if namespace:
                etree.SubElement(
                    wrapper, f"{{{XSD}}}import", namespace=namespace, schemaLocation=members[0]
                )
        files["all.xsd"] = wrapper
        for name, doc in files.items():
            (base / name).write_bytes(etree.tostring(doc))
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            validator = etree.XMLSchema(etree.parse(str(base / "all.xsd"), parser))
        except etree.XMLSchemaParseError as exc:
            raise ContractUnreadable(f"{name}: its schemas do not compile: {exc}") from exc
        try:
            schema = xmlschema.XMLSchema(str(base / "all.xsd"), allow="sandbox", build=True)
        except xmlschema.XMLSchemaException as exc:
            raise ContractUnreadable(f"{name}: its schemas do not compile: {exc}") from exc
    return validator, schema
