"""The recording addon: every finished exchange, redacted and annotated, to a flow file.

The live flow is never touched: the addon copies it, redacts the copy
(:class:`~collaudo.recorder.redaction.Redactor`), adds the report metadata
(:mod:`~collaudo.recorder.metadata`) and only then writes it. A flow that failed (upstream
refused, timed out) is recorded too, with its error.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from mitmproxy import http

from collaudo.recorder.flows import FlowFile
from collaudo.recorder.metadata import annotate
from collaudo.recorder.redaction import Redactor

log = logging.getLogger(__name__)


class RecordingAddon:
    """mitmproxy addon writing redacted flows to ``out``."""

    def __init__(self, out: str | Path, redactor: Redactor | None = None, label: str = "") -> None:
        self.out = Path(out)
        self.redactor = redactor or Redactor()
        self.label = label
        self.ready = threading.Event()
        self._file: FlowFile | None = None
        self.recorded = 0

    @property
    def file(self) -> FlowFile:
        if self._file is None:
            self._file = FlowFile(self.out)
        return self._file

    def running(self) -> None:
        _ = self.file  # open the output before the first flow: a bad path fails at start
        self.ready.set()

    def save(self, flow: http.HTTPFlow) -> None:
        copy: http.HTTPFlow = flow.copy()  # type: ignore[no-untyped-call]
        self.redactor.flow(copy)
        extra = {"label": self.label} if self.label else {}
        annotate(copy, **extra)
        self.file.add(copy)
        self.recorded += 1
        log.info("recorded %s %s", copy.request.method, copy.request.path.split("?")[0])

    def response(self, flow: http.HTTPFlow) -> None:
        self.save(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        if flow.response is None:
            self.save(flow)

    def done(self) -> None:
        if self._file is not None:
            self._file.close()
