"""The Python floor for the peers benchmark: Starlette answering the same bytes to anything.

``COLLAUDO_STATIC_ANSWER`` names the file, ``COLLAUDO_STATIC_TYPE`` its content type; run by
``benchmarks/peers.py`` as ``uvicorn benchmarks.static_app:create_app --factory``.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def create_app() -> Starlette:
    body = Path(os.environ["COLLAUDO_STATIC_ANSWER"]).read_bytes()
    media_type = os.environ.get("COLLAUDO_STATIC_TYPE", "application/octet-stream")

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type=media_type)

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST", "PUT"])])
