"""The recorder reads untrusted traffic: DTDs, entities and malformed XML are refused."""

from __future__ import annotations

import pytest

from collaudo.recorder.xmltools import UnsafeXML, parse_xml


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "DOCTYPE"),
        (b"<x><y></x>", "not well-formed"),
        (b"<x>" + b"a" * (8 * 1024 * 1024) + b"</x>", "exceeds the limit"),
    ],
)
def test_unsafe_or_malformed_xml_is_refused_with_the_reason(data: bytes, why: str) -> None:
    with pytest.raises(UnsafeXML, match=why):
        parse_xml(data)


def test_a_plain_soap_envelope_parses() -> None:
    root = parse_xml(b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'/>")
    assert root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
