"""Sixteen staff members pressing "issue" on their invoices at the same moment, against
the app running in gunicorn (several processes, each with threads): sixteen consecutive
numbers, none skipped and none given twice, on SQLite and on PostgreSQL alike."""

import http.client
import re
import threading
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from money_support import past_booking, seller
from support import PASSWORD, csrf_token

import models
from engines import clock
from models.accounts.users import create_user
from models.money import invoicing
from models.money.vouchers import Invoice

ISSUERS = 16


class Browser:
    """One staff member's browser: its own connections and its own session cookie."""

    def __init__(self, base):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.read().decode(), response.getheader("Location")
        finally:
            connection.close()

    def log_in(self, email):
        _, page, _ = self.request("GET", "/staff/login")
        status, _, location = self.request("POST", "/staff/login", {
            "csrf_token": csrf_token(page), "email": email, "password": PASSWORD})
        assert status == 303, (status, email)
        _, page, _ = self.request("GET", urlsplit(location).path)
        self.csrf = csrf_token(page)


@pytest.fixture
def drafts(shop):
    """Sixteen staff accounts, each with a draft invoice of a booking that took place."""
    with models.db.connection_context():
        seller()
        made = []
        for number in range(ISSUERS):
            user = create_user(f"staff{number}@hieronta.example", f"Staff {number}", "staff")
            user.set_password(PASSWORD)
            user.save()
            booking = past_booking(hour=8 + number % 10, days_ago=1 + number // 10)
            made.append((user.email, invoicing.create_draft(booking, user).id))
    return made


@pytest.mark.server
def test_sixteen_staff_issuing_at_once_over_http_get_sixteen_consecutive_numbers(
        drafts, server):
    browsers = []
    for email, _ in drafts:
        browser = Browser(server.url)
        browser.log_in(email)
        browsers.append(browser)
    due = (clock.today() + timedelta(days=14)).strftime("%d.%m.%Y")
    barrier = threading.Barrier(ISSUERS)
    answers = [None] * ISSUERS

    def issue(number):
        browser, (_, invoice_id) = browsers[number], drafts[number]
        barrier.wait()
        try:
            answers[number] = browser.request(
                "POST", f"/staff/money/invoices/{invoice_id}/issue",
                {"csrf_token": browser.csrf, "due_date": due})[::2]
        except OSError as error:  # kept, so that a failure says what went wrong
            answers[number] = (repr(error), None)

    threads = [threading.Thread(target=issue, args=(n,)) for n in range(ISSUERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in answers] == [303] * ISSUERS, answers
    year = clock.today().year
    with models.db.connection_context():
        issued = list(Invoice.select().where(Invoice.id.in_([each for _, each in drafts]))
                      .order_by(Invoice.sequence))
    assert [invoice.sequence for invoice in issued] == list(range(1, ISSUERS + 1))
    assert [invoice.number for invoice in issued] == [
        f"{year}-{number:05d}" for number in range(1, ISSUERS + 1)]
    assert len({invoice.reference for invoice in issued}) == ISSUERS
    # Each answer leads to its own invoice, now issued.
    for (_, location), (_, invoice_id) in zip(answers, drafts, strict=True):
        assert re.search(rf"/staff/money/invoices/{invoice_id}\b", location), location
