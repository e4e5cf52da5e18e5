"""REST fuzzing with schemathesis 4: the proxy's own OpenAPI, the GPD simulator and the
checkout mock's ``/carts`` against the official pagoPA specs, and the GovPay simulator's API
Pendenze v2 against GovPay's official file (its listed documentation defects fixed and
reported as contract defects), the second oracle.

Each API runs in-process over ASGI behind a :class:`CrashGuard`, through schemathesis'
engine: examples, coverage (boundary values), fuzzing (hypothesis, shrunk) and stateful
sequences along the spec's links (declared or inferred). Checks: no 5xx, documented status
codes, content types and response schemas, headers, a response-time ceiling (hangs) and no
Python traceback in any body.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.config._cache import CacheConfig
from schemathesis.engine import events, from_schema

from adapters.api.app import create_app as create_proxy
from adapters.api.settings import ApiSettings
from adapters.core.fake import FakeIntermediary
from adapters.core.store import Store
from collaudo.fuzz import contracts
from collaudo.fuzz.guard import CrashGuard
from collaudo.fuzz.model import ApiReport, Finding
from simulators.checkout import app as checkout_sim
from simulators.govpay import app as govpay_sim
from simulators.gpd import app as gpd_sim

logger = logging.getLogger(__name__)

ASGI_BASE = "http://testserver"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/')
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "max_response_time",
    "no_traceback_on_the_wire",
]
# A proxy token for in-process runs only; reproductions name the environment variable.
FUZZ_TOKEN = "collaudo-fuzz-token"
SIM_KEY = "sim-subscription-key"  # the GPD simulator's documented demo key (DESIGN.md)
GOVPAY_PASSWORD = "sim-password"  # the GovPay simulator's documented demo password
GOVPAY_ID_A2A = "A2A-COLLAUDO"
# API Pendenze v2 operations the GovPay simulator does not offer (not on the proxy's path).
GOVPAY_NOT_SIMULATED = (
    "getProfilo",
    "getAvvisiDocumento",
    "getAllegatoPendenza",
    "getRpp",
    "getRpt",
)
GOVPAY_BASIC = base64.b64encode(f"{GOVPAY_ID_A2A}:{GOVPAY_PASSWORD}".encode()).decode()


@schemathesis.check
def no_traceback_on_the_wire(ctx: Any, response: Any, case: Any) -> bool | None:
    """A response body must never carry a Python traceback."""
    text = response.text if isinstance(response.text, str) else ""
    for marker in TRACEBACK_MARKERS:
        if marker in text:
            raise AssertionError(f"the response body carries a Python traceback ({marker!r})")
    return None


@dataclass
class Spec:
    """One OpenAPI document served by one app at ``base_path``."""

    document: dict[str, Any] | None  # None: load it from the app at ``location``
    base_path: str
    headers: dict[str, str]
    location: str = "/docs"
    exclude_operation_ids: tuple[str, ...] = ()


@dataclass
class RestTarget:
    """An API to fuzz: its app (built fresh per run), its specs, how to reproduce by hand."""

    name: str
    title: str
    live_base: str
    build: Callable[[Path], tuple[Any, list[Spec]]]
    secrets: dict[str, str] = field(default_factory=dict)  # value -> how a reproduction says it
    notes: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()


def _proxy(data_dir: Path) -> tuple[Any, list[Spec]]:
    app = create_proxy(
        ApiSettings(api_token=FUZZ_TOKEN, public_url="http://127.0.0.1:8000"),
        intermediary=FakeIntermediary(),
        store=Store.open(":memory:"),
        run_background=False,
    )
    # Fuzzed logo_url values never leave the process: every logo host answers 404 at once.
    app.state.logo_transport = httpx.MockTransport(lambda request: httpx.Response(404))
    return app, [Spec(None, "", {"Authorization": f"Bearer {FUZZ_TOKEN}"})]


def _gpd(data_dir: Path) -> tuple[Any, list[Spec]]:
    # Any creditor may use the key, so fuzzed fiscal codes reach the position logic.
    app = gpd_sim.create_app(gpd_sim.Settings(subscription_key=SIM_KEY, organizations=()))
    key = {"Ocp-Apim-Subscription-Key": SIM_KEY}
    return app, [
        Spec(contracts.gpd_spec(), "/gpd/debt-positions-service/v1", key),
        Spec(contracts.gpd_payments_spec(), "/gpd/payments-receipts-service/v1", key),
    ]


def _checkout(data_dir: Path) -> tuple[Any, list[Spec]]:
    app = checkout_sim.create_app(checkout_sim.Settings(public_url="http://127.0.0.1:8030"))
    return app, [Spec(contracts.checkout_spec(), "/checkout/ec/v1", {})]


def _govpay(data_dir: Path) -> tuple[Any, list[Spec]]:
    app = govpay_sim.create_app(govpay_sim.Settings(id_a2a=GOVPAY_ID_A2A, password=GOVPAY_PASSWORD))
    base = "/govpay/backend/api/pendenze/rs/basic/v2"
    auth = {"Authorization": f"Basic {GOVPAY_BASIC}"}
    spec = Spec(contracts.govpay_pendenze_spec(), base, auth)
    spec.exclude_operation_ids = GOVPAY_NOT_SIMULATED
    return app, [spec]


REST_TARGETS: dict[str, RestTarget] = {
    "proxy": RestTarget(
        "proxy",
        "payment proxy (own OpenAPI at /docs, FakeIntermediary)",
        "http://127.0.0.1:8000",
        _proxy,
        secrets={FUZZ_TOKEN: "$COLLAUDO_API_TOKEN"},
    ),
    "gpd": RestTarget(
        "gpd",
        "GPD simulator (official gpd.json + gpd_payments.json)",
        "http://127.0.0.1:8020",
        _gpd,
        requires=("pagopa/openapi/gpd.json", "pagopa/openapi/gpd_payments.json"),
    ),
    "checkout": RestTarget(
        "checkout",
        "pagoPA Checkout mock POST /carts (official checkout_v1.json)",
        "http://127.0.0.1:8030",
        _checkout,
        requires=("pagopa/openapi/checkout_v1.json",),
    ),
    "govpay": RestTarget(
        "govpay",
        "GovPay simulator API Pendenze v2 (official govpay-api-pendenze-v2.yaml, GovPay 3.9.1)",
        "http://127.0.0.1:8040",
        _govpay,
        secrets={
            f"Basic {GOVPAY_BASIC}": "Basic $(printf '%s' "
            f"'{GOVPAY_ID_A2A}:'\"$COLLAUDO_GOVPAY_PASSWORD\" | base64)"
        },
        notes=(
            f"not simulated, not fuzzed: {', '.join(GOVPAY_NOT_SIMULATED)}",
            *contracts.govpay_defects(contracts.GOVPAY_PENDENZE),
        ),
        requires=(contracts.GOVPAY_PENDENZE,),
    ),
}


@dataclass(frozen=True)
class StatefulBudget:
    """The stateful phase's own budget: sequences along the links, and steps in each.

    Defects that only show on stored data (a created tenant's service read back) need
    sequences that get past validation; a small example budget gives few of them."""

    sequences: int
    steps: int


def _load(
    spec: Spec, app: Any, budget: int, seed: int | None, stateful: StatefulBudget | None = None
) -> Any:
    # No on-disk cache: every run starts fresh and leaves nothing in the working tree.
    config = SchemathesisConfig(seed=seed, cache=CacheConfig(enabled=False))
    if spec.document is None:
        schema = schemathesis.openapi.from_asgi(spec.location, app, config=config)
    else:
        schema = schemathesis.openapi.from_dict(spec.document, config=config)
        schema.app = app
    schema.config.update(
        base_url=ASGI_BASE + spec.base_path,
        headers=dict(spec.headers),
        request_timeout=10,
        workers=1,
        continue_on_failure=True,
    )
    schema.config.generation.update(max_examples=budget, database="none")
    if stateful is not None:
        schema.config.phases.stateful.generation.update(max_examples=stateful.sequences)
        schema.config.phases.stateful.max_steps = stateful.steps
    schema.config.checks.update(included_check_names=CHECKS, max_response_time=5.0)
    selected: Any = schema
    for operation_id in spec.exclude_operation_ids:
        selected = selected.exclude(operation_id=operation_id)
    return selected


def _reproduction(target: RestTarget, curl: str, headers: dict[str, str]) -> str:
    text = curl.replace(ASGI_BASE, target.live_base)
    for name, value in headers.items():
        shown = target.secrets.get(value, value)
        if name.lower() == "authorization" and value.startswith("Bearer "):
            shown = "Bearer " + target.secrets.get(value[7:], value[7:])
        text = text.replace(f"{name}: [Filtered]", f"{name}: {shown}")
    return f"# start it with `collaudo sim` / `collaudo up` ({target.live_base}), then:\n{text}"


def _case_text(case: Any) -> str:
    shown: dict[str, Any] = {"method": case.method, "path": case.path}
    for name in ("path_parameters", "query", "body"):
        value = getattr(case, name, None)
        if value not in (None, {}, []):
            shown[name] = value
    headers = {
        k: v
        for k, v in (case.headers or {}).items()
        if k.lower() not in ("authorization", "ocp-apim-subscription-key")
    }
    if headers:
        shown["headers"] = headers
    return json.dumps(shown, indent=2, ensure_ascii=False, default=repr)


def _path_matches(template: str, path: str) -> bool:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]*", re.escape(template))
    return re.search(pattern + "$", path) is not None


def _findings(target: RestTarget, spec: Spec, guard: CrashGuard, event: Any) -> Iterator[Finding]:
    recorder = event.recorder
    for case_id, checks in recorder.checks.items():
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            node = recorder.cases.get(case_id)
            case = node.value if node is not None else None
            operation = case.operation.label if case is not None else recorder.label
            crash = None
            if case is not None:
                crash = next(
                    (
                        c
                        for c in guard.crashes
                        if c.method == case.method and _path_matches(case.path, c.path)
                    ),
                    None,
                )
                if crash is not None:
                    guard.crashes.remove(crash)
            message = f"{info.failure.title}\n{info.failure.message}".strip()
            if crash is not None:
                message += f"\nunhandled exception in the app: {crash.summary}"
            yield Finding(
                api=target.name,
                operation=operation,
                check=check.name,
                message=message,
                reproduction=_reproduction(target, info.code_sample, spec.headers),
                minimal_case=_case_text(case) if case is not None else info.code_sample,
                traceback=crash.traceback if crash is not None else None,
            )


def run_rest(
    target: RestTarget,
    budget: int,
    *,
    seed: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
    stateful: StatefulBudget | None = None,
) -> ApiReport:
    """Fuzz one REST target; every distinct failure becomes a finding."""
    report = ApiReport(target.name, target.title, notes=list(target.notes))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="collaudo-fuzz-") as data:
        app, specs = target.build(Path(data))
        guard = CrashGuard(app)
        for spec in specs:
            schema = _load(spec, guard, budget, seed, stateful)
            report.operations += schema.statistic.operations.selected
            for event in from_schema(schema).execute():
                if isinstance(event, events.ScenarioFinished):
                    report.cases += len(event.recorder.cases)
                    for finding in _findings(target, spec, guard, event):
                        report.add(finding)
                elif isinstance(event, events.PhaseFinished):
                    progress(
                        f"{target.name}{spec.base_path}: {event.phase.name.value} phase "
                        f"{event.status.value} ({report.cases} cases so far)"
                    )
                elif isinstance(event, events.NonFatalError | events.FatalError):
                    error = getattr(event, "value", None) or getattr(event, "exception", None)
                    label = getattr(event, "label", "engine")
                    report.add(
                        Finding(
                            target.name,
                            label,
                            "fuzzer error",
                            f"{type(error).__name__}: {error}",
                            "(none: the fuzzer itself failed)",
                            label,
                        )
                    )
        for crash in guard.drain():
            report.add(
                Finding(
                    target.name,
                    f"{crash.method} {crash.path}",
                    "not_a_server_error",
                    f"unhandled exception in the app: {crash.summary}",
                    f"curl -X {crash.method} '{target.live_base}{crash.path}'",
                    f"{crash.method} {crash.path}",
                    crash.traceback,
                )
            )
    report.seconds = time.monotonic() - started
    return report
