"""Bearer-token protection of the operator APIs (configuration, imports, stamps).

The token comes from ``COLLAUDO_API_TOKEN``; with no token configured every
protected call is refused, so a proxy started without one is never open.
Comparison is constant-time; the token never reaches a log line.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request

from adapters.api.problems import Problem
from adapters.i18n import gettext as _

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="collaudo-payment-proxy"'}


def require_token(request: Request) -> None:
    """Raise a 401 problem unless the request carries the configured bearer token."""
    expected: str | None = request.app.state.api_token
    header = request.headers.get("authorization", "")
    scheme, _sep, given = header.partition(" ")
    if not expected:
        raise Problem(
            401,
            _("Unauthorized"),
            _(
                "this proxy has no API token configured: set COLLAUDO_API_TOKEN and restart it, "
                "then send 'Authorization: Bearer <token>'"
            ),
            kind="unauthorized",
            headers=_CHALLENGE,
        )
    if scheme.lower() != "bearer" or not given.strip():
        raise Problem(
            401,
            _("Unauthorized"),
            _(
                "send the API token as 'Authorization: Bearer <token>' (the value of "
                "COLLAUDO_API_TOKEN on the proxy)"
            ),
            kind="unauthorized",
            headers=_CHALLENGE,
        )
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Problem(
            401,
            _("Unauthorized"),
            _("the bearer token is wrong: use the value of COLLAUDO_API_TOKEN on the proxy"),
            kind="unauthorized",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
