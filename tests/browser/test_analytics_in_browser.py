"""The consented level in a real browser: with the owner asking for it, nothing is
measured before the visitor accepts, the site's own script reports once they have, and
nothing more after they withdraw; no request goes to another host."""

import time
from urllib.parse import parse_qs

import pytest
from booking_steps import only_own_origin

import models
from models.analytics import settings, visits

pytestmark = [pytest.mark.browser, pytest.mark.server]
BROWSER = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")


def reports(kind=visits.VIEW):
    with models.db.connection_context():
        return visits.Hit.select().where(visits.Hit.kind == kind).count()


def settle(expected=None, seconds=20):
    """The reports stored once the beacons have had time to arrive (on a busy machine a
    beacon may take seconds: wait up to `seconds` for `expected` of them)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if expected is not None and reports() >= expected:
            break
        time.sleep(0.2)
    return reports()


def view_report_of(answer, path):
    """Whether `answer` is the server's answer to the script's view report of `path`."""
    if not answer.url.endswith("/statistics/report"):
        return False
    sent = parse_qs(answer.request.post_data or "")
    return sent.get("k") == ["v"] and sent.get("p") == [path]


def stable(seconds=20):
    """The reports stored once no more arrive (none new for 2 s; at most `seconds`)."""
    deadline = time.monotonic() + seconds
    count, since = reports(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < 2:
        time.sleep(0.2)
        if (now := reports()) != count:
            count, since = now, time.monotonic()
    return count


def test_nothing_is_measured_before_consent_or_after_withdrawal(open_page, server):
    with models.db.connection_context():
        settings.save(25, False, ask_consent=True)
    page = open_page()
    # A headless browser names itself so, and is left out as a robot would be.
    page.set_extra_http_headers({"User-Agent": BROWSER})
    _requested, refused = only_own_origin(page, server)
    page.goto("/")
    page.goto("/contact")
    assert settle(seconds=1.5) == 0
    # The choice is a form sent to the server: wait for its answer before going on, or
    # a busy machine may let the next page be asked for while the choice is on its way.
    with page.expect_navigation():
        page.locator("button[value=accept]").first.click()
    for path in ("/", "/contact", "/cookies"):  # each page's view reported, and answered
        with page.expect_response(lambda answer, path=path: view_report_of(answer, path)):
            page.goto(path)
    measured = stable()
    assert measured >= 3
    with page.expect_navigation():
        page.locator("button[value=reject]").last.click()
    measured = stable()  # what was on its way when the choice was made
    views_after = []
    page.on("request", lambda asked: views_after.append(asked.url)
            if asked.url.endswith("/statistics/report")
            and "k=v" in (asked.post_data or "") else None)
    page.goto("/")
    page.goto("/contact")
    time.sleep(1.5)
    assert views_after == [], "a page after the withdrawal reported itself"
    assert reports() == measured
    assert refused == []
