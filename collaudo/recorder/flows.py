"""Reading and writing mitmproxy flow files (``.flow``), with errors a person can act on."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from mitmproxy import exceptions, http, io


class RecordingError(Exception):
    """A recording cannot be read or written; the message says what to do."""


def read_flows(path: str | Path) -> list[http.HTTPFlow]:
    """The HTTP flows of a recording, in recorded order."""
    source = Path(path)
    if not source.is_file():
        raise RecordingError(
            f"no recording at {source}: record one with `collaudo record` or check the path"
        )
    flows: list[http.HTTPFlow] = []
    with source.open("rb") as handle:
        try:
            for flow in io.FlowReader(handle).stream():
                if isinstance(flow, http.HTTPFlow):
                    flows.append(flow)
        except exceptions.FlowReadException as exc:
            raise RecordingError(
                f"{source} is not a mitmproxy flow file ({exc}); "
                "recordings come from `collaudo record` or mitmproxy's `-w`"
            ) from exc
    return flows


class FlowFile:
    """An append-only flow file, flushed after every flow so a crash loses at most one."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle: BinaryIO = self.path.open("wb")
        except OSError as exc:
            raise RecordingError(f"cannot write the recording {self.path}: {exc}") from exc
        self._writer = io.FlowWriter(self._handle)  # type: ignore[no-untyped-call]
        self.count = 0

    def add(self, flow: http.HTTPFlow) -> None:
        self._writer.add(flow)
        self._handle.flush()
        self.count += 1

    def close(self) -> None:
        self._handle.close()


def write_flows(path: str | Path, flows: Iterable[http.HTTPFlow]) -> int:
    out = FlowFile(path)
    try:
        for flow in flows:
            out.add(flow)
    finally:
        out.close()
    return out.count
