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
    assert "5 righe: create 2, registrate 1, invariate (già importate) 0, rifiutate 2" in out
    assert "riga 4 [notice_number]" in out and "riga 5 [amount]" in out
    assert "5/5" in err
    assert main([*argv, "--db", str(db), "--intermediary", "fake"]) == 1
    assert "create 0, registrate 0, invariate (già importate) 3" in capsys.readouterr().out
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
    assert "nessuna configurazione attiva" in capsys.readouterr().err


def test_proxy_exits_2_naming_a_missing_driver(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(drivers.DRIVERS, "gpd", drivers._real_driver("not_written_yet"))
    assert main(["proxy", "--intermediary", "gpd", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "not available in this build" in err and "fake" in err


def test_import_csv_through_a_proxy_shows_progress_and_saves_the_errors_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.api.app import create_app
    from adapters.api.settings import ApiSettings
    from adapters.core.fake import FakeIntermediary
    from simulators.common.server import BackgroundServer

    store = Store.open(tmp_path / "proxy.sqlite")
    store.put_tenant(TenantConfig.model_validate(tenant_body()))
    store.put_service(ServiceConfig.model_validate(service_body()))
    app = create_app(
        ApiSettings(api_token="cli-token"), intermediary=FakeIntermediary(), store=store
    )
    server = BackgroundServer(app).start()
    monkeypatch.setenv("COLLAUDO_API_TOKEN", "cli-token")
    try:
        csv_file = tmp_path / "dovuti.csv"
        csv_file.write_text(mixed_csv(), encoding="utf-8")
        argv = ["import-csv", str(csv_file), "--tenant", str(TENANT_ID),
                "--service", str(SERVICE_ID), "--url", server.url, "--poll", "0.05"]  # fmt: skip
        assert main(argv) == 1  # two rows refused
        out, err = capsys.readouterr()
        assert "importazione http://" in err and "5/5" in err and "righe/s" in err, err
        assert "completata" in err, err
        assert "5 righe: create 2, registrate 1, invariate (già importate) 0, rifiutate 2" in out
        assert "riga 4 [notice_number]" in out and "riga 5 [amount]" in out
        errors_file = tmp_path / "dovuti-errors.csv"
        assert f"Le righe rifiutate sono in {errors_file}" in out
        lines = errors_file.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("line,error_reason,notice_number,amount")
        assert [line.split(",")[0] for line in lines[1:]] == ["4", "5"]
        # The errors file, unchanged, is refused again; nothing else is duplicated.
        assert main([*argv[:1], str(errors_file), *argv[2:]]) == 1
        out, _ = capsys.readouterr()
        assert "2 righe: create 0, registrate 0, invariate (già importate) 0, rifiutate 2" in out
        assert store.count_payments() == 3
    finally:
        server.stop()
        store.close()
