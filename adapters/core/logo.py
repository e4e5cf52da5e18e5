"""The creditor's logo as the tenant configuration stores it: a PNG or JPEG, at most 512 KiB.

Stored as the value of a form.io ``file`` component with base64 storage (a one-element list
``[{"storage": "base64", "name", "originalName", "type", "size", "url": "data:…"}]``), so the
configuration form shows it back; a bare ``data:`` URL is accepted too. Pure checks: the
bytes must really be the declared kind of image, readable, of sensible dimensions.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError

from adapters.i18n import gettext as _

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 4000
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
_DATA_URL = re.compile(r"data:(?P<type>[\w/+.-]+);base64,(?P<data>[A-Za-z0-9+/=\s]*)", re.S)


class InvalidLogo(ValueError):
    """The logo is not an acceptable image; the message says why and what to do."""


def image_type(data: bytes) -> str:
    """The media type of a PNG or JPEG logo, after checking it decodes; raises InvalidLogo."""
    if len(data) > LOGO_MAX_BYTES:
        raise InvalidLogo(
            _(
                "the logo is %(size)s bytes: at most %(limit)s (512 KiB); "
                "export a smaller PNG or JPEG"
            )
            % {"size": len(data), "limit": LOGO_MAX_BYTES}
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        media = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        media = "image/jpeg"
    else:
        raise InvalidLogo(_("the logo must be a PNG or JPEG image (other formats are refused)"))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != LOGO_TYPES[media]:
                raise InvalidLogo(
                    _("the logo's content is not a valid %(format)s")
                    % {"format": LOGO_TYPES[media]}
                )
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, InvalidLogo):
            raise
        raise InvalidLogo(
            _("the logo cannot be read as an image (%(error)s)") % {"error": exc}
        ) from exc
    if max(width, height) > LOGO_MAX_SIDE or min(width, height) < 16:
        raise InvalidLogo(
            _("the logo is %(width)s×%(height)s pixels: each side must be 16 to %(limit)s")
            % {"width": width, "height": height, "limit": LOGO_MAX_SIDE}
        )
    return media


def logo_entry(data: bytes, name: str) -> list[dict[str, Any]]:
    """The stored (form.io file component) value for a checked logo."""
    media = image_type(data)
    encoded = base64.b64encode(data).decode("ascii")
    return [
        {
            "storage": "base64",
            "name": name,
            "originalName": name,
            "type": media,
            "size": len(data),
            "url": f"data:{media};base64,{encoded}",
        }
    ]


def _data_url(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        url = value[0].get("url")
        if isinstance(url, str):
            return url
    raise InvalidLogo(
        _(
            "the logo must be one uploaded image (the form's file field) or a data: URL "
            "(data:image/png;base64,…)"
        )
    )


def logo_bytes(value: Any) -> bytes:
    """The image bytes of a stored or submitted logo; raises InvalidLogo."""
    match = _DATA_URL.fullmatch(_data_url(value).strip())
    if match is None:
        raise InvalidLogo(_("the logo must be a base64 data: URL (data:image/png;base64,…)"))
    try:
        data = base64.b64decode("".join(match["data"].split()), validate=True)
    except binascii.Error as exc:
        raise InvalidLogo(
            _("the logo's base64 data is malformed (%(error)s)") % {"error": exc}
        ) from exc
    if image_type(data) != match["type"]:
        raise InvalidLogo(
            _("the logo is declared as %(type)s but is not one") % {"type": match["type"]}
        )
    return data


def normalize_logo(value: Any) -> list[dict[str, Any]]:
    """A submitted logo, checked and put in the stored form; raises InvalidLogo."""
    data = logo_bytes(value)
    name = "logo"
    if isinstance(value, list) and isinstance(value[0].get("originalName"), str):
        name = value[0]["originalName"][:200]
    return logo_entry(data, name)


def logo_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a logo's address (None when it can): an absolute http(s) URL
    of printable characters with a host."""
    message = _("must be the http(s) address of a PNG or JPEG image (or upload the image)")
    if not url.isprintable() or any(c.isspace() for c in url):
        return message
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return message
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return message
    return None
