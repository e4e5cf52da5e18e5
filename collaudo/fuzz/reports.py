"""Findings to files: JUnit XML (``reports/fuzz-junit.xml``) and Allure results
(``reports/allure-results/``, one ``*-result.json`` per test with text attachments).

JUnit: one ``testsuite`` per API; one ``testcase`` per finding (with a ``failure``) and one
passing ``testcase`` counting the cases that found nothing. Allure: the same, following
the Allure 2 result schema (uuid, historyId, name, fullName, status, statusDetails, stage,
start, stop, labels, attachments); reproduction, minimal case and traceback are attached.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from pathlib import Path
from xml.etree import ElementTree

from collaudo.fuzz.model import ApiReport, Finding

JUNIT_NAME = "fuzz-junit.xml"
ALLURE_DIR = "allure-results"


def finding_text(finding: Finding) -> str:
    """The whole finding as plain text, for a terminal, a JUnit failure or a ticket."""
    parts = [
        f"{finding.api} {finding.operation} — check {finding.check}",
        finding.message,
        "reproduction:",
        finding.reproduction,
        "minimal (shrunk) case:",
        finding.minimal_case,
    ]
    if finding.traceback:
        parts += ["traceback (server side, never on the wire):", finding.traceback]
    return "\n".join(parts)


def write_junit(reports: list[ApiReport], path: Path) -> Path:
    """Write the JUnit XML file; returns its path."""
    root = ElementTree.Element("testsuites", name="collaudo fuzz")
    total_tests = total_failures = 0
    for report in reports:
        tests = len(report.findings) + 1
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=f"fuzz.{report.api}",
            tests=str(tests),
            failures=str(len(report.findings)),
            errors="0",
            time=f"{report.seconds:.3f}",
        )
        props = ElementTree.SubElement(suite, "properties")
        ElementTree.SubElement(props, "property", name="cases", value=str(report.cases))
        for note in report.notes:
            ElementTree.SubElement(props, "property", name="note", value=note)
        for finding in report.findings:
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"fuzz.{report.api}", name=finding.title, time="0"
            )
            failure = ElementTree.SubElement(
                case, "failure", message=finding.message.splitlines()[0][:500], type=finding.check
            )
            failure.text = finding_text(finding)
        ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"fuzz.{report.api}",
            name=f"{report.cases} cases over {report.operations} operations",
            time=f"{report.seconds:.3f}",
        )
        total_tests += tests
        total_failures += len(report.findings)
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _attachment(directory: Path, name: str, text: str) -> dict[str, str]:
    source = f"{uuid.uuid4()}-attachment.txt"
    (directory / source).write_text(text, encoding="utf-8")
    return {"name": name, "source": source, "type": "text/plain"}


def _result(
    directory: Path,
    report: ApiReport,
    name: str,
    status: str,
    message: str | None,
    attachments: dict[str, str],
) -> None:
    now = int(time.time() * 1000)
    full_name = f"collaudo.fuzz.{report.api}.{name}"
    result = {
        "uuid": str(uuid.uuid4()),
        "historyId": hashlib.md5(full_name.encode()).hexdigest(),  # noqa: S324 (not security)
        "testCaseId": hashlib.md5(full_name.encode()).hexdigest(),  # noqa: S324
        "name": name,
        "fullName": full_name,
        "status": status,
        "stage": "finished",
        "start": now - int(report.seconds * 1000),
        "stop": now,
        "labels": [
            {"name": "parentSuite", "value": "fuzz"},
            {"name": "suite", "value": report.api},
            {"name": "feature", "value": report.title},
            {"name": "tag", "value": "fuzz"},
            {"name": "framework", "value": "collaudo fuzz"},
        ],
        "attachments": [_attachment(directory, k, v) for k, v in attachments.items() if v],
    }
    if message is not None:
        result["statusDetails"] = {"message": message, "trace": attachments.get("traceback", "")}
    path = directory / f"{result['uuid']}-result.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")


def write_allure(reports: list[ApiReport], directory: Path) -> Path:
    """Write one Allure result per finding and one passing result per API."""
    directory.mkdir(parents=True, exist_ok=True)
    for report in reports:
        for finding in report.findings:
            _result(
                directory,
                report,
                finding.title,
                "failed",
                finding.message,
                {
                    "reproduction": finding.reproduction,
                    "minimal case": finding.minimal_case,
                    "traceback": finding.traceback or "",
                },
            )
        summary = f"{report.cases} cases over {report.operations} operations"
        _result(directory, report, summary, "passed", None, {"notes": "\n".join(report.notes)})
    return directory


def write_reports(reports: list[ApiReport], reports_dir: Path) -> tuple[Path, Path]:
    """Both formats under ``reports_dir``; returns (junit file, allure directory)."""
    return (
        write_junit(reports, reports_dir / JUNIT_NAME),
        write_allure(reports, reports_dir / ALLURE_DIR),
    )
