"""One default TLS context per process for outgoing httpx clients.

httpx builds a fresh ``ssl.create_default_context`` for every client or transport it makes
(loading certifi's whole CA bundle: ~20–50 ms of CPU), even one that only ever speaks plain
HTTP on loopback. The proxy makes several per start (the notifier, each driver's transport),
the harness one per checkout walk, form and stack, and a test run starts many proxies. Same
verification as httpx's default, built once.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def default_tls() -> ssl.SSLContext:
    """httpx's default verifying context (certifi's CAs, or ``SSL_CERT_FILE``/``_DIR``)."""
    return httpx.create_ssl_context()
