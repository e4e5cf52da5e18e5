"""The run's one-page summary: every scenario per target, read back from ``junit.xml``.

The collaudo plugin records each scenario's feature, title and target as JUnit
properties, so the summary names them as the operator wrote them, whatever pytest
called the test. A scenario the driver could not run because a verb is not implemented yet
(skipped with the reason ``non implementato: <verb>``) is counted apart: neither passed nor
failed, it shows the integrator the way to done. :func:`summary_markdown` is written to
``reports/summary.md``; :func:`summary_table` is what ``collaudo run`` prints at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from collaudo.i18n import gettext as _
from collaudo.i18n import ngettext

NOT_IMPLEMENTED = "non implementato"
OUTCOMES = ("passed", "failed", "skipped", NOT_IMPLEMENTED)


class ReportError(RuntimeError):
    """The JUnit file is missing or unreadable (pytest did not get to write it)."""


@dataclass(frozen=True)
class ScenarioResult:
    target: str
    feature: str
    scenario: str
    outcome: str  # passed | failed | skipped | non implementato
    seconds: float
    message: str = ""
    exchanges: str = ""  # a failed scenario's exchanges, for `collaudo vendor-report`


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def read_junit(path: Path) -> list[ScenarioResult]:
    """The scenarios in ``path`` (tests without collaudo properties are skipped over)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"{path}: {exc.strerror}; did pytest start at all?") from exc
    if b"<!DOCTYPE" in data[:1000]:
        raise ReportError(f"{path}: a JUnit file has no DOCTYPE")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ReportError(f"{path}: not readable XML: {exc}") from exc
    results = []
    for case in root.iter("testcase"):
        props = {p.get("name"): p.get("value") or "" for p in case.iter("property")}
        if "collaudo_target" not in props:
            continue
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome = "skipped" if tag == "skipped" else "failed"
                message = (found.get("message") or found.text or "").strip()
                if outcome == "skipped" and message.startswith(NOT_IMPLEMENTED + ":"):
                    outcome = NOT_IMPLEMENTED
                break
        results.append(
            ScenarioResult(
                target=props["collaudo_target"],
                feature=props.get("collaudo_feature", case.get("classname", "")),
                scenario=props.get("collaudo_scenario", case.get("name", "")),
                outcome=outcome,
                seconds=float(case.get("time") or 0),
                message=" ".join(message.split())[:300],
                exchanges=props.get("collaudo_exchanges", ""),
            )
        )
    return results


def _grid(results: Sequence[ScenarioResult]) -> tuple[list[str], dict[str, dict[str, list[int]]]]:
    targets = sorted({r.target for r in results})
    grid: dict[str, dict[str, list[int]]] = defaultdict(lambda: {t: [0, 0, 0, 0] for t in targets})
    for r in results:
        grid[r.feature][r.target][OUTCOMES.index(r.outcome)] += 1
    return targets, dict(sorted(grid.items()))


def _cell(counts: list[int]) -> str:
    passed, failed, skipped, missing = counts
    total = passed + failed + skipped + missing
    if not total:
        return "—"
    text = f"{passed}/{total - skipped}"
    if failed:
        text += f" ({failed} KO)"
    if missing:
        text += " " + _("(%(count)s not impl.)") % {"count": missing}
    if skipped:
        text += " " + _("+%(count)s skipped") % {"count": skipped}
    return text


def summary_table(results: Sequence[ScenarioResult]) -> str:
    """A plain-text table: one row per feature, one column per target."""
    targets, grid = _grid(results)
    heading = _("Feature")
    width = max([len(heading), *(len(f) for f in grid)])
    lines = ["  ".join([heading.ljust(width), *(t.ljust(30) for t in targets)])]
    lines.append("-" * len(lines[0]))
    for feature, row in grid.items():
        lines.append("  ".join([feature.ljust(width), *(_cell(row[t]).ljust(30) for t in targets)]))
    missing = [r for r in results if r.outcome == NOT_IMPLEMENTED]
    if missing:
        lines += ["", _("Not implemented (the driver's way to done):")]
        lines += [f"  {r.target} · {r.feature} › {r.scenario}: {r.message}" for r in missing]
    return "\n".join(lines)


def totals(results: Sequence[ScenarioResult]) -> dict[str, int]:
    return {o: sum(1 for r in results if r.outcome == o) for o in OUTCOMES}


def summary_markdown(results: Sequence[ScenarioResult], wall_seconds: float, command: str) -> str:
    """The one-page summary: verdict, the feature × target table, failures, skips."""
    count = totals(results)
    if results and not count["failed"] and not count[NOT_IMPLEMENTED]:
        verdict = _("PASSED")
    elif results and not count["failed"]:
        verdict = _("INCOMPLETE")
    else:
        verdict = _("NOT PASSED")
    targets, grid = _grid(results)
    scenarios = ngettext(
        "%(count)s scenario in %(seconds).1f s",
        "%(count)s scenarios in %(seconds).1f s",
        len(results),
    ) % {"count": len(results), "seconds": wall_seconds}
    outcome = _("%(passed)s passed, %(failed)s failed, %(skipped)s skipped.") % count
    if count[NOT_IMPLEMENTED]:
        outcome = (
            outcome.rstrip(".")
            + ", "
            + _("%(missing)s not implemented.") % {"missing": count[NOT_IMPLEMENTED]}
        )
    lines = [
        _("# Collaudo: %(verdict)s") % {"verdict": verdict},
        "",
        f"`{command}` — {scenarios}: {outcome}",
        "",
        "| " + " | ".join([_("Feature"), *targets]) + " |",
        "|---|" + "---|" * len(targets),
    ]
    for feature, row in grid.items():
        lines.append(f"| {feature} | " + " | ".join(_cell(row[t]) for t in targets) + " |")
    for title, kind in (
        (_("Failed scenarios"), "failed"),
        (_("Not implemented by the driver (the way to done)"), NOT_IMPLEMENTED),
        (_("Skipped scenarios"), "skipped"),
    ):
        chosen = [r for r in results if r.outcome == kind]
        if chosen:
            lines += ["", f"## {title}", ""]
            lines += [f"- **{r.target}** · {r.feature} › {r.scenario}: {r.message}" for r in chosen]
    lines += [
        "",
        _(
            "Details: `reports/allure-results/` (every scenario with its exchanges and its "
            "sequence diagram; `allure serve reports/allure-results`), `reports/junit.xml`."
        ),
        "",
    ]
    return "\n".join(lines)
