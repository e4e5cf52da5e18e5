"""libxml2 and xmlschema give the same verdict on MyPay's base64 documents.

The simulator validates ``Versamento`` and ``Dovuti`` with libxml2 (lxml, microseconds) and
runs xmlschema only on what libxml2 refuses, for the path and reason of the fault; a
document only libxml2 refused would be accepted. So the two must agree: here every field
of valid documents is mutated (emptied, too long, wrong pattern, other values, removed,
repeated, an unknown element beside it), on the official XSD where it is found and on
collaudo's built-in one, and each mutant gets the same verdict from both.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from simulators.common import contracts as official
from simulators.mypay import documents
from simulators.mypay.documents import DocumentError
from tests.contracts.support import builtin_mypay_contracts, official_mypay_contracts
from tests.simulators.mypay.helpers import NS, dovuti, versamento

VALUES = [
    "", " ", "A", "0", "-1", "1.5", "20.001", "20.00", "99999999999.99", "1e3", "2031-02-30",
    "2031-12-31", "2031-12-31T10:00:00", "X" * 36, "X" * 141, "F", "G", "Z", "I", "S", "Q",
    "01", "9/0101108TS/", "RSSMRA80A01H501U", "rssmra80a01h501u", "IT", "ITA", "MI",
    "https://example.org", "àè", "<&>",
]  # fmt: skip


def _xsds() -> list[Path]:
    found = official_mypay_contracts()
    return [builtin_mypay_contracts()[1]] + ([found[1]] if found else [])


def _mutants(document: bytes) -> Iterator[etree._Element]:
    root = etree.fromstring(document)
    leaves = [el for el in root.iter() if len(el) == 0]
    for index, _ in enumerate(leaves):
        for value in VALUES:
            mutant = copy.deepcopy(root)
            [el for el in mutant.iter() if len(el) == 0][index].text = value
            yield mutant
    for index, _ in enumerate(list(root.iter())[1:]):
        for how in ("remove", "repeat", "stranger"):
            mutant = copy.deepcopy(root)
            target = list(mutant.iter())[1:][index]
            parent = target.getparent()
            assert parent is not None
            if how == "remove":
                parent.remove(target)
            elif how == "repeat":
                target.addnext(copy.deepcopy(target))
            else:
                target.addnext(etree.Element(f"{{{NS}}}sconosciuto"))
            yield mutant


DOCUMENTS = {
    "Versamento": versamento("IUD-V-1", iuv="01000000000012345"),
    "Dovuti": dovuti(
        [{"iud": "IUD-D-1"}, {"iud": "IUD-D-2", "stamp": ("a" * 44, "MI")}],
    ),
}


@pytest.mark.parametrize("xsd", _xsds(), ids=lambda path: path.parent.name)
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_libxml2_and_xmlschema_agree_on_every_mutant(xsd: Path, name: str) -> None:
    fast = etree.XMLSchema(etree.parse(str(xsd)))
    reference = xmlschema.XMLSchema(str(xsd))
    assert fast(etree.fromstring(DOCUMENTS[name]))  # the unmutated document is valid
    disagreements, refused = [], 0
    for mutant in _mutants(DOCUMENTS[name]):
        verdict = fast(mutant)
        refused += not verdict
        if verdict != reference.is_valid(mutant):
            disagreements.append(etree.tostring(mutant).decode()[:300])
    assert refused > 100  # the mutations do break the documents
    assert disagreements == []


def test_a_refused_document_names_the_path_and_reason() -> None:
    if not official.available(official.MYPAY_WSDL, official.MYPAY_DOCUMENTS_XSD):
        pytest.skip("no MyPay contract found")
    with pytest.raises(DocumentError) as refused:
        documents.read_versamento(versamento("IUD-V-2", amount="20.001"))
    assert refused.value.fault_code == "PAA_XML_NON_VALIDO"
    assert refused.value.description is not None
    assert "pay_i:datiVersamento/pay_i:importoSingoloVersamento" in refused.value.description
