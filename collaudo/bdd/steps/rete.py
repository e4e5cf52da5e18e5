"""Steps: connectivity on real network hosts (features/rete): the vendor's allowlist,
the VPN route, and what the proxy's diagnosis says about them.

They need the ``rete`` fixture (a :class:`collaudo.net.topology.Topology`), which the
features' conftest provides together with a stack whose intermediary simulator listens
in the vendor's host.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_bdd import given, parsers, then, when

from collaudo.bdd.fixtures import Application
from collaudo.bdd.world import CollaudoEnv, eventually
from collaudo.net import netns
from collaudo.net.topology import SERVICE_ADDRESS, VPN, Topology

#: The driver's limit while the VPN is down, so a lost connection shows in 0.2 s (nothing
#: can answer over a link that is down: any limit shows the same). The driver gets its
#: own back when the link returns, for the retry.
SHORT_TIMEOUT = 0.2


def _allowlist(env: CollaudoEnv, method: str, body: dict[str, Any]) -> None:
    url = env.url(env.intermediary, "/_admin/allowlist")
    response = env.suite.request(method, url, json=body)
    assert response.status_code == 200, f"the vendor's console refused: {response.text}"


@given(
    parsers.re(
        r"il fornitore autorizza solo l'indirizzo della VPN e "
        r"(?P<come>chiude la connessione|risponde 403) agli altri"
    )
)
def vendor_allows_vpn_only(env: CollaudoEnv, rete: Topology, come: str) -> None:
    # The vendor's own host stays in: its console is how it changes the list.
    networks = [f"{rete.vpn_address}/32", f"{SERVICE_ADDRESS}/32"]
    mode = "refuse" if come.startswith("chiude") else "403"
    _allowlist(env, "PUT", {"networks": networks, "mode": mode})


@given("la VPN non è collegata, quindi il proxy esce dall'indirizzo della LAN")
def vpn_not_connected(rete: Topology) -> None:
    rete.use("lan")


@when("la VPN viene collegata")
def vpn_connected(rete: Topology) -> None:
    rete.use("vpn")


@given("il collegamento VPN cade")
def vpn_link_drops(env: CollaudoEnv, rete: Topology) -> None:
    env.shorten_driver_timeout(SHORT_TIMEOUT)
    rete.vpn_link(False)


@when("il collegamento VPN torna su")
def vpn_link_back(env: CollaudoEnv, rete: Topology) -> None:
    rete.vpn_link(True)
    # A real VPN is a point-to-point tunnel, without ARP; the veth standing in for it left
    # the proxy's host probing for the far end's MAC address once a second, and the retry
    # would wait for the next probe (up to a second). A tunnel coming back starts afresh.
    netns.ip("neigh", "flush", "dev", "vpn0", ns=rete.opencity)
    env.restore_driver_timeout()


@when("il fornitore autorizza l'indirizzo della LAN dalla sua console di amministrazione")
def vendor_authorises_lan(env: CollaudoEnv, rete: Topology) -> None:
    _allowlist(env, "POST", {"network": f"{rete.lan_address}/32"})


def _last_error(env: CollaudoEnv, pratica: Application) -> str:
    def recorded() -> str | None:
        stored = env.service.store.get_payment(pratica.payment_id)
        return stored.last_error if stored is not None and stored.last_error else None

    return eventually(recorded, "the proxy to record why the creation failed")


@then("la diagnosi indica l'indirizzo della LAN come sorgente da autorizzare")
def diagnosis_names_lan_source(env: CollaudoEnv, rete: Topology, pratica: Application) -> None:
    reason = _last_error(env, pratica)
    assert f"source address {rete.lan_address}" in reason, reason
    assert f"allow {rete.lan_address} on {SERVICE_ADDRESS}:" in reason, reason
    assert "dev lan0" in reason, f"the route taken is not named: {reason}"


@then("il fornitore ha visto l'indirizzo della LAN e la diagnosi lo indica da autorizzare")
def vendor_saw_lan(env: CollaudoEnv, rete: Topology, pratica: Application) -> None:
    reason = _last_error(env, pratica)
    # The vendor's 403 names the address it saw; the proxy's diagnosis names its own.
    assert f"source address {rete.lan_address} is not allow-listed" in reason, reason
    assert f"allow {rete.lan_address} on {SERVICE_ADDRESS}:" in reason, reason


@then("la vista dell'operatore indica l'intermediario irraggiungibile tramite la rotta della VPN")
def operator_sees_unreachable_route(env: CollaudoEnv, rete: Topology, pratica: Application) -> None:
    _last_error(env, pratica)
    view = env.operator.get(f"/payments/{pratica.payment_id}")
    assert view.status_code == 200, view.text
    reason = view.json()["processing"]["last_error"] or ""
    expected = f"unreachable via route {SERVICE_ADDRESS} via {VPN['vendor']} dev vpn0"
    assert expected in reason, reason
    assert f"source address {rete.vpn_address}" in reason, reason


#: The vendor's host name and the wrong address a stale /etc/hosts gives it (no route).
VENDOR_NAME = "api.fornitore.test"
WRONG_ADDRESS = "198.18.7.7"
URL_FIELDS = {
    "mypay": ("mypay_wsdl_url", "/ws/pa?wsdl"),
    "gpd": ("gpd_base_url", "/gpd"),
    "govpay": ("govpay_base_url", "/govpay/backend/api/pendenze/rs/basic/v2"),
}


@dataclass
class DoctorRun:
    """What ``collaudo doctor`` printed, and its exit code."""

    output: str
    code: int


@given("sull'host del proxy il nome dell'intermediario risolve a un indirizzo irraggiungibile")
def wrong_hosts_entry(rete: Topology) -> None:
    rete.hosts({VENDOR_NAME: WRONG_ADDRESS})


@when("l'integratore esegue collaudo doctor dall'host del proxy", target_fixture="referto")
def run_doctor(env: CollaudoEnv, rete: Topology, tmp_path: Path) -> DoctorRun:
    field_name, path = URL_FIELDS[env.intermediary]
    port = env.stack.ports[env.intermediary]
    config = tmp_path / "collaudo.toml"
    config.write_text(
        "[targets.fornitore]\n"
        f'intermediary = "{env.intermediary}"\n'
        'kind = "live"\n'
        "[targets.fornitore.tenant]\n"
        f'{field_name} = "http://{VENDOR_NAME}:{port}{path}"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "collaudo", "doctor", "--config", str(config)]
    done = subprocess.run(
        netns.exec_command(rete.opencity, [*command, "--target", "fornitore"]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return DoctorRun(done.stdout + done.stderr, done.returncode)


@then("il referto indica l'indirizzo risolto e che l'intermediario non è raggiungibile")
def doctor_names_resolved_address(referto: DoctorRun) -> None:
    assert referto.code == 1, referto.output
    assert f"{VENDOR_NAME} resolves to {WRONG_ADDRESS}" in referto.output, referto.output
    assert "PROBLEM" in referto.output and "unreachable" in referto.output, referto.output
