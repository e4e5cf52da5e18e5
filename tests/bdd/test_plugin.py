"""The collaudo plugin: scenarios per target, examples per intermediary, manual steps."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from collaudo.bdd import actions
from collaudo.targets import Target

REPO = Path(__file__).resolve().parents[2]


def collect(*args: str) -> list[str]:
    command = [sys.executable, "-m", "pytest", "features", "--collect-only", "-q"]
    command += ["-p", "no:cacheprovider", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_every_scenario_runs_on_every_simulator_and_examples_follow_their_intermediary() -> None:
    ids = collect("-m", "criticita and not browser")
    mypay = [i for i in ids if "[sim-mypay" in i]
    gpd = [i for i in ids if "[sim-gpd" in i]
    govpay = [i for i in ids if "[sim-govpay" in i]
    assert mypay and gpd and govpay and len(mypay) + len(gpd) + len(govpay) == len(ids)
    # Examples tagged @mypay / @gpd / @govpay run only against that intermediary.
    assert not [i for i in gpd if "MyPay" in i] and not [i for i in mypay if "-GPD-" in i]
    assert not [i for i in govpay if "MyPay" in i or "-GPD-" in i]
    assert not [i for i in mypay + gpd if "GovPay" in i or "govpay" in i.lower()]
    assert any("paaSILImportaDovuto" in i for i in mypay)
    assert any("POST /debtpositions" in i for i in gpd)
    assert any("PUT /pendenze" in i for i in govpay)
    # GovPay's own criticità (the notifications it pushes) run on GovPay only.
    assert any("test_la_notifica_di_govpay" in i for i in govpay), govpay


def test_the_target_option_selects_one_target() -> None:
    ids = collect("--collaudo-target", "sim-gpd", "-m", "configurazione and not browser")
    assert ids and all(i.endswith("]") and "[sim-gpd" in i for i in ids)


class FakeConfig:
    """Just enough of pytest's config for :func:`actions.manual` off a terminal."""

    workerinput: dict[str, Any] = {}


def test_a_manual_step_off_a_terminal_skips_and_says_what_a_person_would_do() -> None:
    target = Target("vendor", "gpd", kind="live", tenant={"gpd_base_url": "https://x"})
    env: Any = SimpleNamespace(target=target)
    request: Any = SimpleNamespace(config=FakeConfig())
    with pytest.raises(pytest.skip.Exception, match="needs a person on live target vendor: pay"):
        actions.manual(env, request, "pay on the test checkout", lambda: False)


def test_browser_scenarios_are_handed_out_first_and_network_ones_run_one_at_a_time() -> None:
    # Collection order is the order xdist hands groups out (collaudo run turns its
    # reordering off): the heaviest groups first, so both workers end together.
    ids = collect("-m", "browser or rete or bollo")
    browser = [n for n, i in enumerate(ids) if "test_pagamenti.py" in i or "modulo" in i]
    first_plain = min(n for n, i in enumerate(ids) if "test_bolli.py" in i)
    rete = [n for n, i in enumerate(ids) if "test_rete.py" in i]
    assert len(rete) == 15 and len(browser) == 21, ids  # on each of the three targets
    assert max(rete + browser) < first_plain, ids
    # Every rete scenario is in one group: consecutive, so one worker runs them in turn.
    assert rete == list(range(rete[0], rete[0] + len(rete))), ids


class FakeItem:
    """Just enough of a pytest item for :func:`plugin.heaviest_groups_first`."""

    def __init__(self, group: str, tag: str | None = None) -> None:
        self.nodeid = f"{group}::{tag}"
        self.group, self.tag = group, tag

    def get_closest_marker(self, name: str) -> Any:
        if name == "xdist_group":
            return SimpleNamespace(args=(self.group,))
        return SimpleNamespace() if name == self.tag else None


def test_groups_are_ordered_by_weight_and_keep_their_own_order() -> None:
    from collaudo.bdd.plugin import heaviest_groups_first

    items: list[Any] = [
        FakeItem("plain", "a"),
        FakeItem("plain", "b"),
        FakeItem("plain", "c"),
        FakeItem("net", "rete"),
        FakeItem("chrome", "browser"),
        FakeItem("plain", "d"),
    ]
    ordered = [f"{i.group}:{i.tag}" for i in heaviest_groups_first(items)]
    assert ordered == ["chrome:browser", "plain:a", "plain:b", "plain:c", "plain:d", "net:rete"]


def test_faults_are_cleared_where_the_suite_may_have_changed_them() -> None:
    from collaudo.bdd.world import CollaudoEnv

    urls = {"gpd": "http://127.0.0.1:8010", "checkout": "http://127.0.0.1:8020"}
    deleted: list[str] = []
    suite: Any = SimpleNamespace(delete=lambda url: deleted.append(url))
    target = Target("sim-gpd", "gpd", kind="simulator")
    stack: Any = SimpleNamespace(urls=urls)
    env = CollaudoEnv(target, stack, None, None, None, None, suite)  # type: ignore[arg-type]

    env.clear_faults()  # nothing known yet: every simulator
    assert sorted(deleted) == [f"{u}/_admin/faults" for u in sorted(urls.values())]
    deleted.clear()
    env.clear_faults()  # nothing changed since: no call
    assert deleted == []

    env.note_admin_change(httpx.Request("GET", "http://127.0.0.1:8010/_admin/positions"))
    env.note_admin_change(httpx.Request("POST", "http://127.0.0.1:8020/pay"))
    env.clear_faults()  # a read, and a call that is no admin call: still nothing
    assert deleted == []

    env.note_admin_change(httpx.Request("PUT", "http://127.0.0.1:8010/_admin/faults/slow"))
    env.clear_faults()
    assert deleted == ["http://127.0.0.1:8010/_admin/faults"]


def test_under_xdist_each_group_runs_on_one_worker_and_network_scenarios_in_turn() -> None:
    # pytest-xdist's own group suffix is lost on pytest 9.2 (its issue 1386): without the
    # plugin's, every scenario went to any worker and network ones ran two at a time.
    command = [sys.executable, "-m", "pytest", "features", "-p", "no:cacheprovider", "-v"]
    command += ["-n", "2", "--dist", "loadgroup", "-m", "bollo or rete"]
    command += ["--collaudo-target", "sim-gpd", "--collaudo-target", "sim-mypay"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workers: dict[str, set[str]] = {}
    for line in done.stdout.splitlines():
        found = re.match(r"\[(gw\d+)\] \[ *\d+%\] PASSED (\S+)\s*$", line)
        if found:
            group = found.group(2).rsplit("@", 1)[-1]
            workers.setdefault(group, set()).add(found.group(1))
    assert workers.keys() == {
        "sim-gpd|features/bolli/marca_da_bollo.feature",
        "sim-mypay|features/bolli/marca_da_bollo.feature",
        "*|features/rete/connettivita_reale.feature",
    }, done.stdout[-3000:]
    assert all(len(names) == 1 for names in workers.values()), workers
