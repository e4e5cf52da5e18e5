# collaudo: the payment proxy, the simulators and the harness in one image.
# Every process of the stack is `collaudo <verb>` (see docker-compose.yml):
#   docker run --rm -p 127.0.0.1:8010:8010 ghcr.io/collaudo/collaudo sim mypay --host 0.0.0.0
# Published as ghcr.io/collaudo/collaudo; built by docker-compose.dev.yml, by
# `collaudo up --docker` when the engine lacks it, or by hand:
#   docker build -t ghcr.io/collaudo/collaudo:latest .
# No secrets are baked in: the proxy's token and the intermediaries' credentials come from
# environment variables at run time. The official contracts (WSDL/XSD/OpenAPI) are not in the
# repository, so they are not in the image either: mount them read-only at /contracts.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, from pyproject.toml alone, so a source change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir adapters simulators collaudo \
 && touch adapters/__init__.py simulators/__init__.py collaudo/__init__.py \
 && pip install . \
 && pip uninstall --yes collaudo
# Then the project itself (no dev extras: no ruff, mypy, opencv).
COPY adapters ./adapters
COPY simulators ./simulators
COPY collaudo ./collaudo
RUN pip install --no-deps . && collaudo --help >/dev/null

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    COLLAUDO_DB=/data/proxy.sqlite \
    COLLAUDO_CONTRACTS_DIR=/contracts \
    COLLAUDO_HEALTH_URL=http://127.0.0.1:8000/status
# An unprivileged user with a numeric id (runAsNonRoot can check it); /data holds the proxy's
# SQLite store and is where a named volume is mounted.
# The paper notices the proxy prints use Debian's DejaVu Sans Condensed.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-extra \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 collaudo \
 && useradd --system --uid 10001 --gid collaudo --create-home --home-dir /home/collaudo collaudo \
 && mkdir -p /data /contracts \
 && chown collaudo:collaudo /data
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
WORKDIR /home/collaudo
# proxy, platform, MyPay, GPD, checkout/Nodo (DESIGN.md's defaults)
EXPOSE 8000 8001 8010 8020 8030 8040
# The proxy by default; every other verb sets COLLAUDO_HEALTH_URL to its own /status (or the
# compose file overrides the healthcheck). /status answers 503 when the store or the bus fail.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['COLLAUDO_HEALTH_URL'], timeout=4)"]
# uvicorn drains in-flight requests on SIGTERM (15 s graceful shutdown in `collaudo proxy`).
STOPSIGNAL SIGTERM
ENTRYPOINT ["collaudo"]
CMD ["proxy", "--host", "0.0.0.0", "--port", "8000"]
