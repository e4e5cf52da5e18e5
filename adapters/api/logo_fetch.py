"""The creditor's logo given by URL: fetched once, when the tenant is configured.

Never at render time: a notice must print even when the creditor's web site is down. The
fetch is bounded (http/https only, 5 s, at most 3 redirects, 512 KiB, PNG or JPEG checked by
content, not only by header) and its failure is a field error on ``logo_url`` that says
what to do. The image is then stored in ``logo`` like an uploaded one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from adapters.core.config import TenantConfig
from adapters.core.logo import (
    LOGO_MAX_BYTES,
    LOGO_TYPES,
    InvalidLogo,
    image_type,
    logo_entry,
    logo_url_problem,
)
from adapters.i18n import gettext as _

LOGO_FETCH_TIMEOUT = 5.0


class LogoFetchError(ValueError):
    """The logo could not be fetched or is not an acceptable image."""


def _check_url(url: str) -> None:
    problem = logo_url_problem(url)
    if problem:
        raise LogoFetchError(f"{url!r} {problem}")


async def fetch_logo(url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> bytes:
    """The image at ``url``, checked; raises LogoFetchError."""
    _check_url(url)
    try:
        async with (
            httpx.AsyncClient(
                transport=transport,
                timeout=LOGO_FETCH_TIMEOUT,
                follow_redirects=True,
                max_redirects=3,
            ) as client,
            client.stream("GET", url, headers={"Accept": "image/png, image/jpeg"}) as response,
        ):
            if response.status_code != 200:
                raise LogoFetchError(
                    _("%(url)s answered HTTP %(status)s, not the image")
                    % {"url": url, "status": response.status_code}
                )
            media = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if media not in LOGO_TYPES:
                raise LogoFetchError(
                    _("%(url)s serves %(type)s: the logo must be a PNG or JPEG")
                    % {"url": url, "type": media or _("no content type")}
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > LOGO_MAX_BYTES:
                raise LogoFetchError(
                    _("%(url)s is %(size)s bytes: the logo may be at most %(limit)s (512 KiB)")
                    % {"url": url, "size": declared, "limit": LOGO_MAX_BYTES}
                )
            data = b""
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > LOGO_MAX_BYTES:
                    raise LogoFetchError(
                        _("%(url)s is larger than %(limit)s bytes (512 KiB): use a smaller image")
                        % {"url": url, "limit": LOGO_MAX_BYTES}
                    )
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
        raise LogoFetchError(
            _("could not fetch %(url)s (%(error)s); check the address or upload the image instead")
            % {"url": url, "error": f"{type(exc).__name__}: {exc}"}
        ) from exc
    try:
        found = image_type(data)
    except InvalidLogo as exc:
        raise LogoFetchError(f"{url}: {exc}") from exc
    if found != media:
        raise LogoFetchError(
            _("%(url)s says %(declared)s but its content is %(found)s")
            % {"url": url, "declared": media, "found": found}
        )
    return data


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


async def with_fetched_logo(
    body: Any,
    sent: Any,
    current: TenantConfig | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[Any, list[tuple[str, str]]]:
    """``body`` (the full tenant document to store) with ``logo`` fetched from ``logo_url``
    when that URL is new, and the field errors met; ``sent`` is what the client sent (the
    PATCH before merging). A malformed URL is left to the validation, which reports it."""
    if not isinstance(body, dict) or not isinstance(sent, Mapping):
        return body, []
    url = body.get("logo_url")
    stored_url = current.logo_url if current else None
    stored_logo = current.logo if current else None
    logo_changed = "logo" in sent and not _blank(sent["logo"]) and sent["logo"] != stored_logo
    if _blank(url) or not isinstance(url, str):
        return body, []
    url = url.strip()
    if url == stored_url and stored_logo:
        if logo_changed:  # a new upload replaces the logo that came from the URL
            return {k: v for k, v in body.items() if k != "logo_url"}, []
        return body, []
    if logo_changed:
        return body, [("logo", _("give either an uploaded logo or logo_url, not both"))]
    try:
        _check_url(url)
    except LogoFetchError:
        return body, []
    try:
        data = await fetch_logo(url, transport=transport)
    except LogoFetchError as exc:
        return {k: v for k, v in body.items() if k != "logo"}, [("logo_url", str(exc))]
    return {**body, "logo_url": url, "logo": logo_entry(data, url[:200])}, []
