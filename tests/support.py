"""Helpers the tests share: dates clear of the demo data, form fields, a real server."""

import asyncio
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

import models
import worker
from engines.free_times import finnish_holidays

ROOT = Path(__file__).resolve().parent.parent

HTMX = {"HX-Request": "true"}
# The demo data's ids (models/demo.py): its staff, services and customers.
AINO, EERO = 1, 2
CLASSIC_30, CLASSIC_60, HOME_VISIT = 1, 2, 4  # the home visit needs an address; Aino only
MATTI, MAIJA = 1, 2  # Matti (matti@asiakas.example) has two bookings, Maija one


def post(client, url, data=None, headers=None, htmx=False):
    """A back-office POST with the CSRF token: as a form field, or for HTMX as the
    header site.js sets."""
    if htmx:
        return client.post(url, data=dict(data or {}),
                           headers={**HTMX, "X-CSRFToken": client.csrf, **(headers or {})})
    return client.post(url, data={"csrf_token": client.csrf, **(data or {})},
                       headers=headers or {})


def send(app, now=None, **options):
    """One run of the worker's sending, as at `now`."""
    with app.app_context(), models.db.connection_context():
        return worker.send_due(now=now, **options)


def next_weekday(weekday, weeks_ahead=2):
    """A date `weeks_ahead` weeks from now falling on `weekday` (0 = Monday), clear of
    the demo bookings and of the minimum notice, and never a Finnish holiday."""
    day = datetime.now(UTC).date() + timedelta(weeks=weeks_ahead)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    holidays = finnish_holidays([day.year, day.year + 1])
    while day in holidays:
        day += timedelta(days=7)
    return day


def form_fields(html):
    """The hidden and filled inputs of the first form with a form token."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    return fields


class Answer(NamedTuple):
    status: int
    body: str
    location: str | None  # where a redirect leads


def http_request(base, method, path, body=None):
    """One request over its own connection: its status, body and redirect."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read().decode(), response.getheader("Location"))
    finally:
        connection.close()


def at_once(base, requests):
    """Each (path, form body) POSTed over its own connection, all at the same instant;
    their answers in the same order. `base` may be a list of servers' addresses: the
    requests then go to each in turn."""
    bases = base if isinstance(base, list) else [base]
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def send(number):
        path, body = requests[number]
        barrier.wait()
        try:
            answers[number] = http_request(bases[number % len(bases)], "POST", path, body)
        except OSError as error:  # kept, so that a failure says what went wrong
            answers[number] = Answer(repr(error), "", None)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process_group(process):
    """Stop a process started in a session of its own, and its children: politely,
    then after 10 s for good."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Server:
    """The app in gunicorn, as it runs in production, on a port of its own."""

    def __init__(self, database_url, workers=2, threads=4, app="app:create_app()",
                 env=None, log=None):
        """`app`: the app for gunicorn (a test may give a factory of its own); `env`:
        more settings; `log`: a file that gets gunicorn's output (its JSON lines)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "VUORO_DATABASE_URL": database_url,
               "VUORO_SECRET_KEY": "test secret key", "VUORO_DEVELOPMENT": "1", **(env or {})}
        output = {"stdout": log, "stderr": subprocess.STDOUT} if log is not None else {}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers),
             "--threads", str(threads), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", app],
            cwd=ROOT, env=env,
            # Its own process group: stopping it stops its workers too, so that no worker
            # outlives the test and holds database locks into the next one.
            start_new_session=True, **output,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not answer in 30 s")

    def stop(self):
        stop_process_group(self.process)


# English words and field names that no Finnish or Swedish page, e-mail or command line
# output has (the scans of the back office and of the command line).
ENGLISH = re.compile(r"\b(the|and|by|of|with|is|are|was|not|has|for|now|up|here|sent|added|"
                     r"created|starts_at|ends_at|internal_note|staff_id|customer_id|Log out|"
                     r"Settings|Messages|unknown user)\b")


def translated(language, message, **values):
    """`message` (an English msgid) as the catalogue of `language` has it."""
    from babel.support import Translations

    catalogue = Translations.load(str(ROOT / "translations"), [language])
    return catalogue.gettext(message) % values if values else catalogue.gettext(message)


PASSWORD = "kuusi kirahvia kävelee rantaan"


def csrf_token(html):
    """The CSRF token of a back-office page (its meta tag or a form's hidden field)."""
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', html)
    return found.group(1)


def log_in(client, email, password=PASSWORD):
    """Log in through the login form; the client keeps the session and gets
    `client.csrf`, the token to send with back-office POSTs."""
    page = client.get("/staff/login")
    response = client.post("/staff/login", data={
        "csrf_token": csrf_token(page.text), "email": email, "password": password})
    assert response.status_code == 303, response.text
    client.csrf = csrf_token(client.get(response.headers["Location"]).text)
    return client


class MailServer:
    """A real SMTP server (aiosmtpd) on a port of its own, keeping what it receives.
    `refuse` set to an SMTP reply ("451 4.3.0 Try again later") makes it refuse;
    `delay` (seconds) makes it take that long over each message, as a slow one does."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received = []
        self.raw = []  # (recipients, the message's bytes as they arrived)
        self.refuse = None
        self.delay = 0
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.rcpt_tos, message))
        self.raw.append((envelope.rcpt_tos, envelope.original_content))
        return "250 Message accepted"

    def to(self, address):
        """The messages that went to `address`."""
        return [message for recipients, message in self.received if address in recipients]

    def raw_to(self, address):
        """The bytes of the messages that went to `address`, as the server got them."""
        return [content for recipients, content in self.raw if address in recipients]

    def stop(self):
        self.controller.stop()


def login_form(client, email, password, address="127.0.0.1"):
    """One try of the login form, from the network address `address`."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/staff/login", environ_base=environ)
    return client.post("/staff/login", environ_base=environ, data={
        "csrf_token": csrf_token(page.text), "email": email, "password": password})


def turn_on_two_factor(client):
    """Turn two-factor login on through the account pages; the secret and the
    recovery codes. The code it was turned on with is used up."""
    import pyotp

    page = client.get("/staff/account/two-factor")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text).group(1)
    assert "<svg" in page.text  # the QR code, drawn by the site itself
    response = client.post("/staff/account/two-factor", data={
        "csrf_token": client.csrf, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", response.text)
    assert len(codes) == 10
    return secret, codes


def next_code(secret):
    """The code the app shows in the next 30 seconds, which the site already accepts
    (one step of clock difference) and which no earlier step has used."""
    import pyotp

    return pyotp.TOTP(secret).at(time.time(), counter_offset=1)


# The only /staff/ pages an anonymous visitor may open: the ways in.
WAYS_IN = {"auth.login", "auth.code", "auth.invitation", "auth.logout", "auth.two_factor"}


def staff_urls(app):
    """Every registered /staff/ route but the ways in, with made-up arguments: the
    endpoint, the method and the address."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in WAYS_IN:
            continue
        url = rule.rule
        for name, converter in rule._converters.items():
            value = 1 if isinstance(converter, IntegerConverter) else "2030-01-07"
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url
