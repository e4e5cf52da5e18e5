"""``collaudo import-csv`` (direct on the store file) and ``collaudo proxy`` refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.api import drivers
from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.store import Store
from collaudo.cli import main
from tests.api.conftest import SERVICE_ID, TENANT_ID, service_body, tenant_body
from tests.api.test_imports import mixed_csv


def _seed(db: Path) -> None:
    store = Store.open(db)
    store.put_tenant(TenantConfig.model_validate(tenant_body()))
    store.put_service(ServiceConfig.model_validate(service_body()))
    store.close()


def test_import_csv_directly_on_the_store_prints_progress_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLLAUDO_PROXY_URL", raising=False)
    db = tmp_path / "proxy.sqlite"
    _seed(db)
    csv_file = tmp_path / "dovuti.csv"
    csv_file.write_text(mixed_csv(), encoding="utf-8")
    argv = ["import-csv", str(csv_file), "--tenant", str(TENANT_ID), "--service", str(SERVICE_ID)]
    assert main([*argv, "--db", str(db), "--intermediary", "fake"]) == 1
    out, err = capsys.readouterr()
    assert "5 rows: 2 created, 1 registered, 0 unchanged (already imported), 2 refused" in out
    assert "line 4 [notice_number]" in out and "line 5 [amount]" in out
    assert "5/5" in err
    assert main([*argv, "--db", str(db), "--intermediary", "fake"]) == 1
    assert "0 created, 0 registered, 3 unchanged" in capsys.readouterr().out
    store = Store.open(db)
    assert store.count_payments() == 3
    assert store.outbox_backlog() == 3  # published by the proxy when it runs
    store.close()


def test_import_csv_refuses_an_unconfigured_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLLAUDO_PROXY_URL", raising=False)
    csv_file = tmp_path / "dovuti.csv"
    csv_file.write_text(mixed_csv(), encoding="utf-8")
    code = main(
        ["import-csv", str(csv_file), "--tenant", str(TENANT_ID), "--service", str(SERVICE_ID),
         "--db", str(tmp_path / "empty.sqlite"), "--intermediary", "fake"]
    )  # fmt: skip
    assert code == 2
    assert "no active configuration" in capsys.readouterr().err


def test_proxy_exits_2_naming_a_missing_driver(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(drivers.DRIVERS, "gpd", drivers._real_driver("not_written_yet"))
    assert main(["proxy", "--intermediary", "gpd", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "not available in this build" in err and "fake" in err
