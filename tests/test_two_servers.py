"""Two app servers (gunicorn) on one PostgreSQL and one Redis, as a growing business runs
them behind its proxy: the 32-customer race across both gives one booking per time, the
login throttle counts across both, a logout on one holds on the other, and two workers
send each reminder once and run each daily duty once."""

import os
import re
import subprocess
import sys
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from support import (
    PASSWORD,
    ROOT,
    MailServer,
    Server,
    at_once,
    form_fields,
    http_request,
    next_weekday,
)
from test_race import CLIENTS, naive, utc_text, working_days

import models
from engines.clock import HELSINKI, naive_utc, now
from models.booking.bookings import Booking
from models.duties import DutyRun
from models.people.contact_requests import ContactRequest

# The database of the other tests (tests/conftest.py), read the same way.
POSTGRES_URL = os.environ.get("VUORO_TEST_POSTGRES_URL", "")

pytestmark = [pytest.mark.server, pytest.mark.postgres]

# A Redis database of this test's own (the machine's Redis may serve others too).
REDIS_URL = os.environ.get("VUORO_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
ROUNDS = 4


def redis_reachable():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
        client.close()
        return True
    except redis.RedisError:
        return False


@pytest.fixture
def servers(shop, owner, database_url):
    if not POSTGRES_URL:
        pytest.skip("two app servers need PostgreSQL (VUORO_TEST_POSTGRES_URL)")
    if not redis_reachable():
        pytest.skip(f"two app servers need Redis at {REDIS_URL} (VUORO_TEST_REDIS_URL)")
    models.db.obj.close_all()
    settings = {"VUORO_RATELIMIT_STORAGE_URL": REDIS_URL}
    first = Server(database_url, env=settings)
    try:
        second = Server(database_url, env=settings)
        yield first, second
        second.stop()
    finally:
        first.stop()


def details_form(base, start, number):
    query = urlencode({"staff": "1", "start": start})
    answer = http_request(base, "GET", f"/book/2/details?{query}")
    assert answer.status == 200
    return urlencode({**form_fields(answer.body), "name": f"Asiakas {number}",
                      "email": f"asiakas{number}@example.com",
                      "phone": f"040 200 {number:04d}"})


def test_the_race_across_two_servers_gives_one_booking_per_time(servers):
    bases = [server.url for server in servers]
    for day in working_days(next_weekday(0, weeks_ahead=3), ROUNDS):
        moment = datetime.combine(day, time(9), HELSINKI)
        forms = [details_form(bases[number % 2], utc_text(moment), number)
                 for number in range(CLIENTS)]
        answers = at_once(bases, [("/book/2/details", form) for form in forms])
        statuses = sorted((answer.status for answer in answers), key=str)
        assert statuses == [303] + [409] * (CLIENTS - 1), statuses
        with models.db.connection_context():
            assert Booking.select().where(Booking.starts_at == naive(moment)).count() == 1


class Browser:
    """One person's cookies, sent to whichever server is asked."""

    def __init__(self):
        self.cookies = {}

    def request(self, base, method, path, body=None):
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, text, response.getheader("Location")
        finally:
            connection.close()

    def log_in(self, base, password=PASSWORD):
        _, page, _ = self.request(base, "GET", "/staff/login")
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return self.request(base, "POST", "/staff/login", urlencode({
            "csrf_token": token, "email": "olli@hieronta.example", "password": password}))


def test_failed_logins_are_counted_across_both_servers(servers):
    first, second = servers
    person = Browser()
    statuses = [person.log_in((first, second)[attempt % 2].url, "väärä salasana")[0]
                for attempt in range(6)]
    assert statuses == [401] * 5 + [429]
    assert person.log_in(first.url)[0] == 429  # the right password waits too


def test_a_session_and_its_logout_hold_on_both_servers(servers):
    first, second = servers
    person = Browser()
    assert person.log_in(first.url)[0] == 303
    status, page, _ = person.request(second.url, "GET", "/staff/calendar/")
    assert status == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert person.request(second.url, "POST", "/staff/logout",
                          urlencode({"csrf_token": token}))[0] == 303
    status, _, location = person.request(first.url, "GET", "/staff/calendar/")
    assert status == 302 and "/staff/login" in location


def run_two_workers(env):
    command = [sys.executable, "-m", "flask", "--app", "app", "worker", "--once"]
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[1] for process in workers]
    assert [process.returncode for process in workers] == [0, 0], outputs
    return "".join(outputs)


def test_two_workers_send_each_reminder_once_and_run_each_daily_duty_once(servers,
                                                                          tmp_path):
    start = (now() + timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    with models.db.connection_context():
        Booking.create(customer=1, service=1, staff=2, starts_at=naive_utc(start),
                       ends_at=naive_utc(start + timedelta(minutes=30)),
                       blocked_until=naive_utc(start + timedelta(minutes=40)),
                       price_cents=3900, created_at=naive_utc(now() - timedelta(days=5)))
        ContactRequest.create(name="Vanha Kysyjä", message="Vanha viesti",
                              submission_key="old", email="vanha@example.com",
                              status="closed", created_at=naive_utc(now() - timedelta(days=3650)),
                              closed_at=naive_utc(now() - timedelta(days=3600)))
    mail = MailServer()
    env = {**os.environ, "VUORO_DATABASE_URL": POSTGRES_URL, "VUORO_SECRET_KEY": "test",
           "VUORO_DEVELOPMENT": "1", "VUORO_SMTP_URL": mail.url}
    try:
        logs = run_two_workers(env) + run_two_workers(env)
    finally:
        mail.stop()
    # Matti's only message is the reminder (the booking was written here, not booked).
    assert len(mail.to("matti@asiakas.example")) == 1, mail.received
    assert logs.count('"message": "retention: ') == 1, logs
    with models.db.connection_context():
        assert not ContactRequest.select().where(ContactRequest.submission_key == "old").exists()
        assert DutyRun.get(DutyRun.name == "retention").last_result
