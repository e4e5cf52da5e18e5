"""An httpx transport whose connections start inside a network namespace.

The suite runs in one host (namespace) and must still reach another host's admin API
from that host itself, as the vendor's own staff would (the vendor's allowlist does not
apply to its own console). Each request runs in one worker thread that entered the
namespace; the sockets it opens stay there, whichever thread reads them later.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from adapters.core.tls import default_tls
from collaudo.net import netns


class NamespaceTransport(httpx.BaseTransport):
    """Sends every request from inside namespace ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._inner = httpx.HTTPTransport(verify=default_tls())  # not one CA load apiece
        self._worker = ThreadPoolExecutor(
            1,
            thread_name_prefix=f"netns-{name}",
            initializer=netns.enter_for_good,
            initargs=(name,),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._worker.submit(self._inner.handle_request, request).result()

    def close(self) -> None:
        self._inner.close()
        self._worker.shutdown(wait=True)
