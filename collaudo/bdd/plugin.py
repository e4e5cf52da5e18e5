"""The collaudo step library as a pytest plugin.

Loaded by ``features/conftest.py`` (so plain ``pytest features/`` works) and by
``collaudo run``. It

- adds ``--collaudo-target NAME`` (repeatable; default ``sim-mypay``,
  ``sim-gpd`` and ``sim-govpay``) and ``--collaudo-config PATH`` (default ``collaudo.toml``);
- runs every scenario once per target (a session-scoped parameter, so each
  xdist worker starts each target's stack at most once), grouped per target and
  feature file for ``--dist loadgroup``;
- drops examples tagged for another intermediary (``@mypay``, ``@gpd``, ``@govpay``) and
  skips ``@simulatore`` scenarios on live targets, saying why; on a generated driver's
  target (``simulator = "contract"``) those tagged for one intermediary skip, saying why;
- reports a scenario that failed because the driver does not implement a verb yet (the
  proxy recorded :class:`~adapters.core.intermediary.VerbNotImplemented` as a payment's
  reason or a 501 answer during the scenario, or a step raised it) as skipped with the
  reason ``non implementato: <verb>``, which the reports count apart;
- registers the Gherkin tags as markers (``collaudo run --tags`` is ``-m``);
- before each scenario clears the simulators' faults and marks the exchange log;
  after it, clears the faults again and attaches the scenario's exchanges to the
  Allure report (JSON, Mermaid ``sequenceDiagram``, SVG and an HTML page).

Step definitions live in :mod:`collaudo.bdd.steps` (one module per concern, every
module there is loaded, including ones added later such as ``browser``); typed
fixtures in :mod:`collaudo.bdd.fixtures`. Both are registered only where scenarios are
collected or run: not in the xdist controller, which only schedules and reports.
"""

from __future__ import annotations

import gc
import hashlib
import json
import pkgutil
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _pytest.nodeid import coerce_node_id
from pytest_bdd.scenario import scenario_wrapper_template_registry
from pytest_bdd.utils import CONFIG_STACK, registry_get_safe

from collaudo.bdd import steps
from collaudo.bdd.world import PROFILES
from collaudo.targets import TargetError, load_targets, select

if TYPE_CHECKING:
    from collaudo.bdd.world import CollaudoEnv

TAGS = {
    "configurazione": "configuration API of tenants and services",
    "pratica": "payment creation from a citizen's application",
    "checkout": "paying through the pagoPA checkout",
    "ricevuta": "receipts (RT)",
    "importazione": "CSV import of pending payments",
    "bollo": "marca da bollo (paper and digital)",
    "checklist": "OpenCity's release checklist",
    "criticita": "the recurring failures of the seed (criticità comuni)",
    "simulatore": "needs the simulators (fault profiles, admin APIs): skipped on live targets",
    "manuale": "needs a person on a live target (paying on the real checkout)",
    "mypay": "runs only against MyPay targets",
    "gpd": "runs only against GPD targets",
    "govpay": "runs only against GovPay targets",
    "browser": "drives Debian's chromium through Playwright",
}
INTERMEDIARY_TAGS = ("mypay", "gpd", "govpay")
#: The verbs the proxy records as not implemented during a scenario (set after it).
NOT_IMPLEMENTED = pytest.StashKey[list[str]]()
_NOT_IMPLEMENTED = re.compile(
    r"non implementato: (create_debt_position|notice_pdf|checkout_url|status|receipt)"
)
_MARK = pytest.StashKey[int]()
#: The node id without the xdist group suffix (see pytest_collection_modifyitems_xdist_groups).
_NODEID = pytest.StashKey[str]()
#: The exchanges of the scenario that just ran (for reports and the harness's own tests).
EXCHANGES = pytest.StashKey[list[Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("collaudo")
    group.addoption(
        "--collaudo-target",
        action="append",
        default=None,
        metavar="NAME",
        help="target profile to run the features against (repeatable; default: sim-mypay, "
        "sim-gpd and sim-govpay)",
    )
    group.addoption(
        "--collaudo-scenarios",
        default=None,
        metavar="DIR",
        help="where a failed scenario's exchanges are written for `collaudo vendor-report "
        "--scenario` (default: reports/scenarios beside --junitxml, else reports/scenarios)",
    )
    group.addoption(
        "--collaudo-config",
        default=None,
        metavar="PATH",
        help="target profiles file (default: collaudo.toml if present)",
    )


def step_library() -> list[str]:
    """The modules of the step library, as pytest plugins: the fixtures, then every step
    module (a new one is picked up without editing a list)."""
    return ["collaudo.bdd.fixtures"] + [
        f"{steps.__name__}.{info.name}"
        for info in sorted(pkgutil.iter_modules(steps.__path__), key=lambda m: m.name)
        if not info.name.startswith("_")
    ]


def _xdist_controller(config: pytest.Config) -> bool:
    """Whether this process only hands scenarios to xdist workers (xdist's own test, read
    from the options: its ``dsession`` plugin is registered after this hook runs)."""
    if hasattr(config, "workerinput") or config.getoption("collectonly"):
        return False  # a worker, or a controller collecting by itself (xdist stays out)
    if config.getoption("showfixtures") or config.getoption("show_fixtures_per_test"):
        return False
    return config.getoption("dist", "no") != "no" and bool(config.getoption("tx", None))


def pytest_configure(config: pytest.Config) -> None:
    for tag, description in TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {description}")
    # The step library imports the whole stack (proxy, simulators, drivers, Playwright): ~1.5
    # CPU-s that the xdist controller, which never collects nor runs a scenario, would spend
    # for nothing. Registered here rather than as ``pytest_plugins`` also spares each module
    # pytest's search of every installed distribution's entry points (~20 ms a module).
    if not _xdist_controller(config):
        # No cyclic GC while ~1,300 modules load and the scenarios are collected: all of it
        # lives until the end, and the collector's passes over it cost ~0.1 CPU-s a worker.
        # Back on, with that heap frozen, once collection is over.
        gc.disable()
        for name in step_library():
            config.pluginmanager.import_plugin(name)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> None:
    """Register a tag this module does not list (e.g. one a new feature brings) as a
    marker, so ``--strict-markers`` accepts it; pytest-bdd then applies it as usual."""
    config = CONFIG_STACK[-1]
    known = {line.split(":", 1)[0].strip() for line in config.getini("markers")}
    if tag not in known:
        config.addinivalue_line("markers", f"{tag}: Gherkin tag")


def _targets(config: pytest.Config) -> list[str]:
    raw_path = config.getoption("--collaudo-config")
    try:
        profiles = load_targets(Path(raw_path) if raw_path else None)
        chosen = select(profiles, config.getoption("--collaudo-target"))
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[PROFILES] = profiles
    return [t.name for t in chosen]


def pytest_sessionstart(session: pytest.Session) -> None:
    """A target whose stack cannot start (a contract or a secret missing) stops the run
    here, saying what is missing and what to do, instead of failing every scenario."""
    config = session.config
    if hasattr(config, "workerinput") or config.option.collectonly:
        return  # the xdist controller has checked already; collecting starts no stack
    from collaudo.contract_facts import start_report

    _targets(config)
    profiles = config.stash[PROFILES]
    try:
        chosen = select(profiles, config.getoption("--collaudo-target"))
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None
    problems = start_report(chosen)
    if problems:
        raise pytest.UsageError("\n".join(problems))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every scenario (a pytest-bdd test) runs once per selected target."""
    if "_pytest_bdd_example" not in metafunc.fixturenames:
        return
    if "collaudo_target" not in metafunc.fixturenames:
        metafunc.fixturenames.append("collaudo_target")
    names = _targets(metafunc.config)
    metafunc.parametrize("collaudo_target", names, indirect=True, scope="session", ids=names)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    profiles = config.stash.get(PROFILES, {})
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("collaudo_target") if callspec else None
        target = profiles.get(name) if name else None
        if target is None:
            kept.append(item)
            continue
        only = {tag for tag in INTERMEDIARY_TAGS if item.get_closest_marker(tag)}
        if only and target.contract:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"specific to {' and '.join(sorted(only))}: {name} runs the "
                    f"generated {target.intermediary} driver"
                )
            )
        elif only and target.intermediary not in only:
            dropped.append(item)
            continue
        # One group per target and feature file, not per target: with three targets on two
        # workers a group per target left one worker idle for half the run. A worker starts
        # a target's stack on its first scenario there (once, kept in a pool), so a finer
        # group costs at most one more stack start per target and worker.
        # Scenarios that make network namespaces and switch links on and off run one at a
        # time, all targets in one group: two at once (one per worker) made "la VPN cade
        # ... e poi torna" time out after the link came back, 3 runs out of 3 with -n 2.
        together = "*" if item.get_closest_marker("rete") else name
        # No "@" in the name: loadgroup takes what follows a node id's last "@" as the group.
        item.add_marker(pytest.mark.xdist_group(f"{together}|{_feature_file(item)}"))
        item.user_properties += _describe(item, target.name)
        if not target.simulated and item.get_closest_marker("simulatore"):
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{name} is a live target: this scenario switches the simulators' "
                    "fault profiles or reads their back office"
                )
            )
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = heaviest_groups_first(kept)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """What exists now (every module, the collected items) lives until the session ends:
    moved out of the cyclic collector's reach (``gc.freeze``, as the simulators do with
    their state, see :mod:`simulators.common.heap`), so its full passes during the run and
    pytest's at the end walk only what the scenarios made (~0.2 CPU-s less per worker)."""
    gc.freeze()
    gc.enable()


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_xdist_groups(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """In an xdist worker, end each scenario's node id with ``@<its group>``: what
    ``--dist loadgroup`` schedules by.

    pytest-xdist 3.8 writes that suffix into ``item._nodeid``, which pytest 9.2 no longer
    reads (node ids are structured: pytest-xdist issue 1386, fix pending in PR 1388), so the
    groups were silently ignored: every scenario went out on its own, each worker started
    every target's stack, and the network scenarios ran two or three at a time. The original
    node id stays in the item's stash for the files a failure leaves.
    """
    if not getattr(config.option, "loadgroup", False):
        return  # not an xdist worker under --dist loadgroup
    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark is None or not mark.args or not hasattr(item, "_id"):
            continue
        suffix = f"@{mark.args[0]}"
        if item.nodeid.endswith(suffix):
            continue  # xdist's own suffix took (a pytest before structured node ids)
        item.stash[_NODEID] = item.nodeid
        item._id = coerce_node_id(item.nodeid + suffix)


#: What a scenario costs, roughly, against a plain one (CPU and wall time on the 2-core
#: machine): a browser walk ~8×, a stack in network namespaces ~3×.
SCENARIO_WEIGHTS = {"browser": 8, "rete": 3}


def _weight(item: pytest.Item) -> int:
    return max([w for tag, w in SCENARIO_WEIGHTS.items() if item.get_closest_marker(tag)] or [1])


def heaviest_groups_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """Items ordered by their xdist group's weight, heaviest first (stable within a group).

    xdist hands out whole groups in collection order (``collaudo run`` turns its reordering
    by group size off): the long browser groups start first and the short plain ones fill
    the end, so both workers finish together instead of one waiting for a browser group
    handed out last.
    """
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        mark = item.get_closest_marker("xdist_group")
        key = str(mark.args[0]) if mark and mark.args else item.nodeid
        groups.setdefault(key, []).append(item)
    ordered = sorted(groups.values(), key=lambda group: -sum(_weight(i) for i in group))
    return [item for group in ordered for item in group]


def _feature_file(item: pytest.Item) -> str:
    """The scenario's feature file (relative to the rootdir), else its test module."""
    template = registry_get_safe(scenario_wrapper_template_registry, getattr(item, "obj", None))
    if template is None:
        return item.nodeid.split("::")[0]
    path = Path(template.feature.filename)
    try:
        return str(path.relative_to(item.config.rootpath))
    except ValueError:
        return str(path)


def _describe(item: pytest.Item, target: str) -> list[tuple[str, object]]:
    """Feature, scenario (with its example) and target, for reports (JUnit properties)."""
    template = registry_get_safe(scenario_wrapper_template_registry, getattr(item, "obj", None))
    if template is None:
        return [("collaudo_target", target)]
    title = template.name
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec else None
    if example:
        title += " — " + ", ".join(f"{k}={v}" for k, v in example.items())
    return [
        ("collaudo_target", target),
        ("collaudo_feature", template.feature.name),
        ("collaudo_scenario", title),
    ]


def _env(request: pytest.FixtureRequest) -> CollaudoEnv:
    env: CollaudoEnv = request.getfixturevalue("env")
    return env


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    env = _env(request)
    env.reset()
    request.node.stash[_MARK] = env.recorder.mark()
    try:
        import allure

        allure.dynamic.feature(feature.name)  # type: ignore[no-untyped-call]
        allure.dynamic.title(f"{scenario.name} [{env.target.name}]")  # type: ignore[no-untyped-call]
        allure.dynamic.tag(env.target.name)  # type: ignore[no-untyped-call]
        allure.dynamic.parameter("target", env.target.name)
    except ImportError:  # pragma: no cover - allure-pytest is a dependency
        pass


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    env = _env(request)
    mark = request.node.stash.get(_MARK, None)
    # The last answer reached the step before its server logged it: let the log catch up.
    env.recorder.settle(timeout=2.0)
    exchanges = env.recorder.since(mark) if mark is not None else []
    request.node.stash[EXCHANGES] = exchanges  # kept even if the reset below fails
    request.node.stash[NOT_IMPLEMENTED] = verbs_not_implemented(exchanges)
    env.reset()  # after reading: the reset's own calls are not the scenario's
    attach_exchanges(exchanges, f"{scenario.name} [{env.target.name}]")


def verbs_not_implemented(exchanges: list[Any]) -> list[str]:
    """The driver verbs the proxy said it could not do (``non implementato: <verb>`` in a
    payment event's reason or a 501 problem), in order of appearance."""
    found: list[str] = []
    for exchange in exchanges:
        text = f"{getattr(exchange, 'request', '')}\n{getattr(exchange, 'response', '')}"
        for verb in _NOT_IMPLEMENTED.findall(text):
            if verb not in found:
                found.append(verb)
    return found


@pytest.hookimpl(wrapper=True, trylast=True, specname="pytest_runtest_makereport")
def pytest_runtest_makereport_not_implemented(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Any:
    """A scenario that failed on a verb the driver does not implement yet is neither passed
    nor a failure: skipped, with ``non implementato: <verb>`` as its reason (innermost, so
    the vendor-report writer and Allure see the changed outcome)."""
    report = yield
    # Scenarios only (the stash is filled after each scenario): a plain test whose output
    # merely mentions a missing verb keeps its failure.
    if report.when != "call" or not report.failed or NOT_IMPLEMENTED not in item.stash:
        return report
    stashed: list[str] = item.stash[NOT_IMPLEMENTED]
    verbs = list(stashed)
    if call.excinfo is not None:
        raised = getattr(call.excinfo.value, "verb", None)
        if isinstance(raised, str) and raised not in verbs:
            verbs.insert(0, raised)
        verbs += [v for v in _NOT_IMPLEMENTED.findall(str(call.excinfo.value)) if v not in verbs]
    if not verbs:
        return report
    reason = f"non implementato: {', '.join(verbs)}"
    # The failure it caused stays readable beside the reason (JUnit system-out, Allure trace).
    report.sections.append(("collaudo: the failure the missing verb caused", report.longreprtext))
    report.outcome = "skipped"
    report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {reason}")
    # Allure (an outer wrapper) takes its message from the exception: give it the reason.
    try:
        pytest.skip(reason)
    except pytest.skip.Exception as skipped:
        call.excinfo = pytest.ExceptionInfo.from_exception(skipped)
    report.user_properties.append(("collaudo_not_implemented", ",".join(verbs)))
    return report


def _scenarios_dir(config: pytest.Config) -> Path:
    chosen = config.getoption("--collaudo-scenarios")
    if chosen:
        return Path(chosen)
    junit = getattr(config.option, "xmlpath", None)
    return (Path(junit).parent if junit else Path("reports")) / "scenarios"


def scenario_file_name(nodeid: str) -> str:
    """A file name for a node id: readable, unique, safe on every filesystem."""
    digest = hashlib.sha1(nodeid.encode()).hexdigest()[:10]
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::")[-1])[:80]
    return f"{readable}-{digest}.json"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed scenario leaves its exchanges where ``collaudo vendor-report`` finds them."""
    report = yield
    if report.when != "call" or not report.failed or EXCHANGES not in item.stash:
        return report
    from collaudo.recorder.scenario import FORMAT

    target = next((v for k, v in report.user_properties if k == "collaudo_target"), "")
    name = next((v for k, v in report.user_properties if k == "collaudo_scenario"), item.name)
    directory = _scenarios_dir(item.config)
    directory.mkdir(parents=True, exist_ok=True)
    nodeid = item.stash.get(_NODEID, item.nodeid)
    path = directory / scenario_file_name(nodeid)
    document = {
        "format": FORMAT,
        "scenario": {
            "id": path.stem,
            "nodeid": nodeid,
            "name": str(name),
            "target": str(target),
            "outcome": "failed",
            "failure": str(report.longrepr)[-4000:],
            "started": datetime.fromtimestamp(call.start, UTC).isoformat(),
        },
        "exchanges": [e.to_dict() for e in item.stash[EXCHANGES]],
    }
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    report.sections.append(
        ("collaudo", f"exchanges: {path}\nvendor report: collaudo vendor-report --scenario {path}")
    )
    report.user_properties.append(("collaudo_exchanges", str(path)))
    return report


def attach_exchanges(exchanges: list[Any], title: str) -> None:
    """Attach the exchanges to the current Allure test (a no-op without ``--alluredir``)."""
    from collaudo import diagrams

    try:
        import allure
    except ImportError:  # pragma: no cover
        return
    kind = allure.attachment_type
    allure.attach(
        json.dumps([e.to_dict() for e in exchanges], indent=1, ensure_ascii=False),
        name="exchanges.json",
        attachment_type=kind.JSON,
    )
    allure.attach(
        diagrams.mermaid(exchanges, title), name="sequence.mmd", attachment_type=kind.TEXT
    )
    allure.attach(diagrams.svg(exchanges, title), name="sequence.svg", attachment_type=kind.SVG)
    allure.attach(diagrams.html(exchanges, title), name="exchanges.html", attachment_type=kind.HTML)
