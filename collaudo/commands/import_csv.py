"""``collaudo import-csv``: import pending payments ("dovuti") from a CSV file.

    collaudo import-csv dovuti.csv --tenant T --service S --url http://127.0.0.1:8000
    collaudo import-csv dovuti.csv --tenant T --service S --db .collaudo/proxy.sqlite3

With ``--url`` (or ``$COLLAUDO_PROXY_URL``) the file is sent to a running
proxy's ``POST /imports`` with the token in ``$COLLAUDO_API_TOKEN``: the proxy
imports it as a background job, and this command shows a progress bar (rows/s,
ETA) until the job is done, then the summary; when rows were refused it saves
them next to the input as ``FILE-errors.csv`` (line and error_reason first, then
the row as sent: fix it there and import that file). Ctrl-C stops watching, not
the job. Without
it the rows go straight into the store file (``--db``, default ``$COLLAUDO_DB``):
the events wait in the store's outbox and the proxy publishes them when it
runs. Columns: see ``adapters.core.csv_rows`` or the proxy's ``/docs``.

Exit code: 0 every row imported (or already there), 1 some rows refused,
2 the file or the target could not be used at all (or the job stopped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from adapters.api.drivers import DRIVERS, DriverMissing, load_driver
from adapters.api.import_direct import RowResult, run_import
from adapters.api.settings import ApiSettings, SettingsError
from adapters.core.csv_file import CsvFileError
from adapters.core.csv_rows import REQUIRED_COLUMNS
from adapters.core.errors import ConfigurationMissing
from adapters.core.store_dialect import store_location
from adapters.i18n import language
from collaudo.i18n import gettext as _
from collaudo.i18n import ngettext


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import-csv",
        help="import pending payments from a CSV file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file", type=Path, help="the CSV file (UTF-8 or Windows-1252; tab, ';' or ',')"
    )
    parser.add_argument("--tenant", required=True, type=uuid.UUID, help="tenant id")
    parser.add_argument("--service", required=True, type=uuid.UUID, help="service id")
    parser.add_argument(
        "--url", default=os.environ.get("COLLAUDO_PROXY_URL"), help="a running proxy's base URL"
    )
    parser.add_argument(
        "--db",
        type=store_location,
        help="store file (or postgresql:// URL) to import into directly",
    )
    parser.add_argument(
        "--intermediary",
        choices=sorted(DRIVERS),
        help="driver used to create rows without a notice number, when importing directly",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--poll", type=float, default=0.5, help="seconds between looks at the job (with --url)"
    )
    parser.set_defaults(func=run)


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def _progress(done: int, total: int, result: RowResult) -> None:
    print(
        f"\r{_bar(done, total)} line {result.line}: {result.outcome:<10}", end="", file=sys.stderr
    )
    if done == total:
        print(file=sys.stderr)


def print_report(report: dict[str, Any]) -> None:
    """The human summary: counts, then the refused rows with their line and reason."""
    counts = {k: report[k] for k in ("total", "created", "registered", "unchanged", "failed")}
    print(
        ngettext(
            "%(total)s row: created %(created)s, registered %(registered)s, unchanged "
            "(already imported) %(unchanged)s, refused %(failed)s",
            "%(total)s rows: created %(created)s, registered %(registered)s, unchanged "
            "(already imported) %(unchanged)s, refused %(failed)s",
            report["total"],
        )
        % counts
    )
    if report.get("encoding"):
        print(
            "  "
            + _("read as %(encoding)s, delimiter %(delimiter)r")
            % {"encoding": report["encoding"], "delimiter": report["delimiter"]}
        )
    if report.get("problem"):
        print("  " + _("the import stopped: %(problem)s") % {"problem": report["problem"]})
    for error in report["errors"]:
        where = f" [{error['field']}]" if error.get("field") else ""
        print(
            "  "
            + _("line %(line)s%(field)s: %(reason)s")
            % {"line": error["line"], "field": where, "reason": error["reason"]}
        )
    if report.get("ignored_columns"):
        print(
            "  "
            + _("ignored columns: %(columns)s") % {"columns": ", ".join(report["ignored_columns"])}
        )
    if report["failed"] > len(report["errors"]):
        more = report["failed"] - len(report["errors"])
        print("  " + _("... and %(count)s more") % {"count": more})
    if report.get("errors_file"):
        print(
            _(
                "The refused rows are in %(file)s (with line and error_reason columns): fix "
                "them there and import that file."
            )
            % {"file": report["errors_file"]}
        )
    elif report["failed"]:
        print(
            _("Fix the refused rows and import the file again: imported rows are not duplicated.")
        )


def _rate(done: int, total: int, elapsed: float) -> str:
    """``1,234 rows/s, ETA 1m05s`` once there is something to measure."""
    if done <= 0 or elapsed <= 0:
        return _("starting")
    rate = done / elapsed
    left = (total - done) / rate
    eta = f"{int(left // 60)}m{int(left % 60):02d}s" if left >= 60 else f"{left:.0f}s"
    return _("%(rate)s rows/s, ETA %(eta)s") % {"rate": f"{rate:,.0f}", "eta": eta}


def _state(state: str) -> str:
    """The job's state in the command's language (the API keeps the English keyword)."""
    names = {
        "queued": _("queued"),
        "running": _("running"),
        "done": _("done"),
        "failed": _("stopped"),
    }
    return names.get(state, state)


def _show(job: dict[str, Any], started: float) -> None:
    done, total = job["read"], job["total"]
    print(
        f"\r{_bar(done, total)} {_state(job['state']):<10} "
        f"{_rate(done, total, time.monotonic() - started)}" + " " * 8,
        end="",
        file=sys.stderr,
        flush=True,
    )


def _problem(response: Any) -> int:
    try:
        problem = response.json()
        detail = problem.get("detail", response.text)
        fields = "; ".join(f"{e['field']}: {e['message']}" for e in problem.get("errors", []))
    except ValueError:
        detail, fields = response.text, ""
    print(
        "collaudo import-csv: "
        + _("the proxy answered HTTP %(status)s: %(detail)s")
        % {"status": response.status_code, "detail": detail},
        file=sys.stderr,
    )
    if fields:
        print(f"  {fields}", file=sys.stderr)
    return 2


def _via_proxy(args: argparse.Namespace, data: bytes) -> dict[str, Any] | int:
    """Upload, then poll the job with a progress bar; the errors file lands next to the input."""
    import httpx

    token = os.environ.get("COLLAUDO_API_TOKEN")
    if not token:
        print(
            "collaudo import-csv: " + _("set COLLAUDO_API_TOKEN to the proxy's token"),
            file=sys.stderr,
        )
        return 2
    base = args.url.rstrip("/")
    # The job's errors come back in the language the command speaks (--lang, COLLAUDO_LANG).
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": language()}
    print(
        _("uploading %(file)s (%(size)s bytes) to %(url)s ...")
        % {"file": args.file, "size": f"{len(data):,}", "url": f"{base}/imports"},
        file=sys.stderr,
    )
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            response = http.post(
                "/imports",
                files={"file": (args.file.name, data, "text/csv")},
                data={"tenant_id": str(args.tenant), "service_id": str(args.service)},
            )
            if response.status_code not in (201, 202):
                return _problem(response)
            job: dict[str, Any] = response.json()
            location = response.headers.get("location", f"/imports/{job['id']}")
            print(_("import job %(url)s") % {"url": f"{base}{location}"}, file=sys.stderr)
            started = time.monotonic()
            try:
                while job["state"] not in ("done", "failed"):
                    _show(job, started)
                    time.sleep(args.poll)
                    polled = http.get(location)
                    if polled.status_code != 200:
                        return _problem(polled)
                    job = polled.json()
            except KeyboardInterrupt:
                print(
                    "\n"
                    + _("stopped watching: the import goes on in the proxy (%(url)s)")
                    % {"url": f"{base}{location}"},
                    file=sys.stderr,
                )
                return 130
            _show(job, started)
            print(file=sys.stderr)
            if job["failed"]:
                errors = http.get(f"{location}/errors.csv")
                if errors.status_code == 200:
                    target = args.file.with_name(f"{args.file.stem}-errors.csv")
                    target.write_bytes(errors.content)
                    job["errors_file"] = str(target)
    except httpx.HTTPError as exc:
        print(
            "collaudo import-csv: "
            + _("cannot reach %(url)s: %(error)s") % {"url": base, "error": exc},
            file=sys.stderr,
        )
        return 2
    return job


async def _direct(args: argparse.Namespace, data: bytes) -> dict[str, Any] | int:
    from adapters.core.bus import MemoryBus
    from adapters.core.service import PaymentService
    from adapters.core.settings import ProxySettings
    from adapters.core.store import Store

    settings = ApiSettings.from_env()
    driver = load_driver(args.intermediary or settings.intermediary)
    if driver.name == "fake":
        print(
            _(
                "note: the fake intermediary lives in this process only; rows without a notice "
                "number get positions nobody else will see"
            ),
            file=sys.stderr,
        )
    store = Store.open(args.db or settings.db_path)
    service = PaymentService(
        store, driver.factory(), MemoryBus(), ProxySettings(public_url=settings.public_url)
    )
    try:
        report = await run_import(service, args.tenant, args.service, data, progress=_progress)
    finally:
        await service.aclose()
        store.close()
    return report.to_dict()


def run(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(
            "collaudo import-csv: "
            + _("cannot read %(file)s: %(error)s") % {"file": args.file, "error": exc.strerror},
            file=sys.stderr,
        )
        return 2
    try:
        outcome = _via_proxy(args, data) if args.url else asyncio.run(_direct(args, data))
    except (CsvFileError, ConfigurationMissing, DriverMissing, SettingsError) as exc:
        print(f"collaudo import-csv: {exc}", file=sys.stderr)
        if isinstance(exc, CsvFileError):
            print(
                "  "
                + _("required columns: %(columns)s") % {"columns": ", ".join(REQUIRED_COLUMNS)},
                file=sys.stderr,
            )
        return 2
    if isinstance(outcome, int):
        return outcome
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        print_report(outcome)
    if outcome.get("state") == "failed":
        return 2
    return 1 if outcome["failed"] else 0
