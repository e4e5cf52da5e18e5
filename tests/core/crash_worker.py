"""A proxy process for the crash tests: consume one event, publish the outbox, exit.

``python -m tests.core.crash_worker STORE EVENT_FILE BUS_FILE IUD_FILE`` (STORE: a SQLite
file or a PostgreSQL URL); the parent sets
``COLLAUDO_CRASH_AT`` to kill it (SIGKILL) at a chosen point. The "bus" is a file
(one JSON line per publish, fsynced) so what was published survives the kill; the
intermediary is the fake, wrapped to log every IUD it was asked to create.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

from adapters.core.bus import Message
from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import DebtPosition, DebtPositionRequest
from adapters.core.service import PaymentService, ProxySettings
from adapters.core.store import Store

TENANT_ID = uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329")
SERVICE_ID = uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625")


class FileBus:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        with self.path.open("ab") as out:
            out.write(value + b"\n")
            out.flush()
            os.fsync(out.fileno())

    async def subscribe(self, topic: str, group: str):  # type: ignore[no-untyped-def]
        if False:  # pragma: no cover - never consumed here
            yield Message(None, b"", 0)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None


class LoggingFake(FakeIntermediary):
    iud_log: Path | None = None

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        assert self.iud_log is not None
        with self.iud_log.open("a") as out:
            out.write(request.iud + "\n")
            out.flush()
            os.fsync(out.fileno())
        return await super().create_debt_position(request)


async def main(db: str, event_file: Path, bus_file: Path, iud_file: Path) -> None:
    store = Store.open(db)
    if store.get_tenant(TENANT_ID) is None:
        store.put_tenant(
            TenantConfig(
                id=TENANT_ID, name="Comune di Bugliano", tax_identification_number="80000000002"
            )
        )
        store.put_service(ServiceConfig(id=SERVICE_ID, tenant_id=TENANT_ID))
    fake = LoggingFake()
    fake.iud_log = iud_file
    # The restarted worker is the same replica (a stable COLLAUDO_REPLICA_ID): it takes
    # back at once the outbox lease the killed one held.
    settings = ProxySettings(replica_id="crash-worker")
    service = PaymentService(store, fake, FileBus(bus_file), settings)
    # The consumer had not committed before a crash, so the event is always redelivered.
    await service.handle_event(event_file.read_bytes())
    await service.drain_outbox()
    await service.aclose()
    store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], *(Path(a) for a in sys.argv[2:5])))
