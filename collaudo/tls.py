"""One default TLS context for the harness's short-lived httpx clients.

httpx builds a fresh ``ssl.create_default_context`` for every client it makes (loading
certifi's whole CA bundle: ~20–50 ms of CPU), even for a client that only ever speaks
plain HTTP on loopback; the harness makes one per checkout walk and per form. Same
verification as httpx's default, built once per process.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def default_tls() -> ssl.SSLContext:
    """httpx's default verifying context (certifi's CAs, or ``SSL_CERT_FILE``/``_DIR``)."""
    return httpx.create_ssl_context()
