"""Checks on Settings values set from text (see :func:`simulators.common.env.setting`).

Each takes the parsed value and raises ValueError saying what is wrong and how to write it;
:mod:`simulators.common.env` adds which variable or flag the value came from.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from simulators.common.env import Check, setting
from simulators.common.faults import REGISTRY, FaultSpec, UnknownFault, available


def is_http_url(text: object) -> bool:
    """An absolute http(s) URL with a host."""
    if not isinstance(text, str):
        return False
    parts = urlsplit(text)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def http_url(value: str) -> None:
    """An absolute http(s) URL, such as the base URL of a simulator."""
    if not is_http_url(value):
        raise ValueError("not an http(s) URL; write it like http://platform:8001")


def port_number(value: int) -> None:
    if not 0 < value < 65536:
        raise ValueError("choose a port between 1 and 65535")


def networks(values: Iterable[str]) -> None:
    """IP networks in CIDR notation (an allowlist)."""
    for cidr in values:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValueError(f"{cidr}: not an IP network; write it like 10.8.0.0/16") from None


def fault_specs(simulator: str) -> Check:
    """``name[:rate[:seed]]`` fault specs, each a profile the ``simulator`` can express."""

    def check(specs: Iterable[str]) -> None:
        for spec in specs:
            try:
                name = FaultSpec.parse(spec).name
            except (UnknownFault, ValueError) as exc:
                raise ValueError(f"{spec}: {exc}") from None
            if simulator not in REGISTRY[name].simulators:
                usable = ", ".join(cls.name for cls in available(simulator)) or "none"
                raise ValueError(
                    f"{spec}: {name!r} does not apply to the {simulator} simulator (its fault "
                    f"profiles: {usable}); see `collaudo sim --list-faults`"
                )

    return check


def station_map(value: Mapping[str, str]) -> None:
    """Creditor fiscal code (11 digits) to the URL of its paForNode station."""
    for fiscal_code, url in value.items():
        if not re.fullmatch(r"\d{11}", fiscal_code):
            raise ValueError(f"{fiscal_code!r} is not a creditor fiscal code (11 digits)")
        if not is_http_url(url):
            raise ValueError(
                f"{fiscal_code}: {url!r} is not an http(s) URL; write the station like "
                "80000000002=http://mypay:8010/pagopa/paForNode"
            )


def one_of(*choices: str) -> Check:
    """A value among ``choices`` (for a ``str`` field that is really a choice)."""

    def check(value: str) -> None:
        if value not in choices:
            raise ValueError(f"choose one of {', '.join(choices)}")

    return check


def url_setting(help: str) -> dict[str, Any]:
    """:func:`setting` metadata of a base-URL field: checked, and shown as ``URL``."""
    return setting(help, check=http_url, form="URL")
