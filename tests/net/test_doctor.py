"""``collaudo doctor``: one page saying what can and cannot be reached, and why."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from collaudo.net import netns
from collaudo.net.doctor import Endpoint, endpoints, examine, report
from collaudo.net.topology import Topology
from simulators.common.server import free_port, serving

WSDL = (
    b'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="x">'
    b'<portType name="p"><operation name="paaSILChiediPagati"/></portType></definitions>'
)


def _vendor() -> Starlette:
    async def wsdl(request: object) -> Response:
        return Response(WSDL, media_type="text/xml")

    async def forbidden(request: object) -> Response:
        return Response(b'{"detail": "not allow-listed"}', status_code=403)

    return Starlette(routes=[Route("/ws/pa", wsdl), Route("/locked", forbidden)])


def _checks(endpoint: Endpoint) -> dict[str, str]:
    return {check.name: check.verdict for check in endpoint.checks}


def test_a_reachable_wsdl_is_checked_down_to_its_operations() -> None:
    with serving(_vendor()) as server:
        tenant = {"mypay_wsdl_url": f"{server.url}/ws/pa?wsdl", "ipa_code": "c_bugliano"}
        (endpoint,) = [examine(e, tenant) for e in endpoints(tenant)]
    assert endpoint.ok, endpoint.checks
    assert _checks(endpoint) == {
        "dns": "skip", "route": "ok", "tcp": "ok", "http": "ok", "document": "ok",
    }  # fmt: skip
    assert "a WSDL with 1 operations" in endpoint.checks[-1].detail
    assert endpoint.source == "127.0.0.1"


def test_a_403_a_closed_port_and_an_unknown_name_are_problems_with_reasons() -> None:
    closed = free_port()
    with serving(_vendor()) as server:
        tenant = {
            "a_url": f"{server.url}/locked",
            "b_url": f"http://127.0.0.1:{closed}/",
            "c_url": "http://vendor.invalid/ws",
        }
        locked, refused, unknown = [examine(e, tenant) for e in endpoints(tenant)]
    assert not locked.ok and "allowlist" in locked.checks[-1].detail
    assert not refused.ok and "refused the connection" in refused.checks[-1].detail
    assert not unknown.ok and unknown.checks[0].name == "dns"
    text = "\n".join(report("vendor-test", [locked, refused, unknown]))
    assert "3 of 3 endpoints have a problem" in text
    assert "Source address(es) this host uses towards the vendor: 127.0.0.1." in text


def test_the_cli_checks_a_simulator_target_and_exits_zero(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "collaudo", "doctor", "--target", "sim-mypay", "--out",
         str(tmp_path / "doctor.txt")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "doctor.txt").read_text(encoding="utf-8")
    assert "[OK] mypay_wsdl_url" in written and "All endpoints reachable." in written


@pytest.mark.skipif(netns.unavailable() is not None, reason=f"{netns.unavailable()}")
def test_in_a_namespace_a_wrong_hosts_entry_is_named_with_the_driver_diagnosis() -> None:
    """A stale /etc/hosts on the proxy's host (``ip netns exec`` bind-mounts it): the
    drivers' diagnosis, computed there, names the address the vendor's name resolved to."""
    script = (
        "from adapters.drivers._http import allowlist_diagnosis\n"
        "print(allowlist_diagnosis('http://api.fornitore.test:8020/gpd', forbidden=False))\n"
    )
    with Topology() as topology:
        topology.hosts({"api.fornitore.test": "198.18.7.7"})
        done = subprocess.run(
            netns.exec_command(topology.opencity, [sys.executable, "-c", script]),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "api.fornitore.test:8020 (resolved to 198.18.7.7)" in done.stdout, done.stdout
    assert "no route from this host" in done.stdout, done.stdout


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no one trusts (as in many vendors' test setups)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.fornitore.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_an_untrusted_server_certificate_stops_at_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    listener.settimeout(10)

    def serve() -> None:  # the TCP check's connection, then the TLS check's
        for _ in range(2):
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                with context.wrap_socket(connection, server_side=True):
                    pass

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    tenant = {"gpd_base_url": f"https://127.0.0.1:{port}/gpd"}
    (endpoint,) = [examine(e, tenant) for e in endpoints(tenant)]
    server.join(timeout=5)
    listener.close()
    assert _checks(endpoint)["tcp"] == "ok"
    tls = endpoint.checks[-1]
    assert tls.name == "tls" and tls.verdict == "fail", endpoint.checks
    assert "not trusted" in tls.detail
