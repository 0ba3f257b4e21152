"""Consent in a real browser on a phone: the box for news on the booking form (with and
without JavaScript) records the consent, and the cookie banner, shown here with one
optional cookie declared for the test, rejects as easily as it accepts, by keyboard
alone, with no accessibility violation and nothing asked from any other host."""

import os

import pytest
from booking_steps import (
    choose_day,
    choose_time,
    confirm,
    expect_confirmation,
    fill_details,
    only_own_origin,
    open_service_from_home,
)
from playwright.sync_api import expect
from support import ROOT, Server, next_weekday, translated
from test_accessibility_in_browser import violations

import models
from models.business import Business
from models.people.customers import Customer
from models.privacy.consents import ACCEPTED, BOOKING_FORM, REJECTED, Consent, CookieChoice
from web.cookies import Cookie

pytestmark = [pytest.mark.browser, pytest.mark.server]

TUESDAY = 1
NEWS_BOX = "Send me news and offers by e-mail. You can stop them at any time."
STATS = Cookie("stats", "Counts visits (a test cookie).", "One month", necessary=False)


def app_with_optional_cookie():
    """The app as gunicorn runs it for the banner's tests: one optional cookie declared,
    and a page that would set it whatever the visitor chose."""
    from flask import make_response

    from app import create_app
    from web import cookies

    cookies.COOKIES = (*cookies.COOKIES, STATS)
    app = create_app()

    def careless():
        response = make_response("ok")
        response.set_cookie(STATS.name, "1")
        return response

    app.add_url_rule("/test/careless", view_func=careless)
    return app


@pytest.fixture
def optional_cookie():
    """Asks for the server to run the app above."""
    return STATS


@pytest.fixture
def server(request, shop, database_url, monkeypatch):
    """The test server; for a test that asks for `optional_cookie`, the app above."""
    models.db.obj.close_all()  # closes the pool: SQLite writes its WAL back into the file
    app = "app:create_app()"
    if "optional_cookie" in request.fixturenames:
        here = os.path.dirname(__file__)
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "tests"), here]))
        app = "test_consent_in_browser:app_with_optional_cookie()"
    running = Server(database_url, app=app)
    yield running
    running.stop()


def one(query):
    with models.db.connection_context():
        return query.get_or_none()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_ticking_the_news_box_while_booking_records_the_consent(open_page, server,
                                                               javascript):
    with models.db.connection_context():
        Business.update(marketing_enabled=True).execute()
    day = next_weekday(TUESDAY)
    page = open_page(javascript=javascript)
    requested, refused = only_own_origin(page, server)
    open_service_from_home(page)
    choose_day(page, day, javascript)
    choose_time(page, day, "14.30")
    fill_details(page, "Maija Meikäläinen", "maija@example.fi", "040 123 4567")
    box = page.get_by_label(translated("fi", NEWS_BOX))
    expect(box).not_to_be_checked()
    box.check()
    confirm(page)
    expect_confirmation(page, day, "14.30", "Maija Meikäläinen")

    consent = one(Consent.select().join(Customer)
                  .where(Customer.email == "maija@example.fi"))
    assert consent is not None and consent.given_via == BOOKING_FORM
    assert consent.statement_version is not None and consent.withdrawn_at is None
    assert not refused, f"requests to other hosts: {refused}"


def focused(page):
    """The text of the element that has the focus (read without the page's own
    JavaScript, which may be off)."""
    return page.locator(":focus").inner_text().strip()


def tab_to(page, name, limit=20):
    """Press Tab until the focus is on the button `name`; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page) == name:
            return presses
    raise AssertionError(f"{name} was not reached with {limit} presses of Tab")


def cookie_names(page):
    return {cookie["name"] for cookie in page.context.cookies()}


def the_choices():
    with models.db.connection_context():
        return [row.choice for row in CookieChoice.select().order_by(CookieChoice.id)]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_banner_rejects_as_easily_as_it_accepts_by_keyboard(optional_cookie, open_page, server,
                                                            javascript):
    accept, reject = translated("fi", "Accept"), translated("fi", "Reject")
    page = open_page(javascript=javascript)
    requested, refused = only_own_origin(page, server)
    page.goto("/book")
    banner = page.get_by_role("complementary", name=translated("fi", "Optional cookies"))
    expect(banner).to_be_visible()
    # axe-core runs in the page: only where JavaScript is on.
    found = violations(page, "page with the cookie banner") if javascript else []
    buttons = banner.get_by_role("button")
    expect(buttons).to_have_text([accept, reject])
    first, second = buttons.nth(0).bounding_box(), buttons.nth(1).bounding_box()
    assert (first["width"], first["height"]) == (second["width"], second["height"])

    to_accept = tab_to(page, accept)
    page.keyboard.press("Tab")
    assert focused(page) == reject
    assert to_accept < 5  # the banner comes first, right after the skip link
    page.keyboard.press("Enter")
    expect(banner).to_have_count(0)
    assert page.url.endswith("/book")
    assert the_choices() == [REJECTED]
    page.request.get("/test/careless")  # the browser's cookies, without opening a page
    assert "stats" not in cookie_names(page)

    # The same in a fresh browser, accepting: one key press more is not asked of either.
    other = open_page(javascript=javascript)
    other.goto("/book")
    assert tab_to(other, accept) == to_accept
    other.keyboard.press("Enter")
    expect(other.get_by_role("complementary")).to_have_count(0)
    assert the_choices() == [REJECTED, ACCEPTED]
    other.request.get("/test/careless")
    assert "stats" in cookie_names(other)

    # Changed from the footer's link: withdrawn, and the optional cookie deleted.
    other.goto("/book")
    other.get_by_role("link", name=translated("fi", "Cookie settings")).last.click()
    if javascript:
        found += violations(other, "cookie settings")
    other.get_by_role("button", name=reject).click()
    expect(other.locator("#your-choice-now")).to_have_text(
        translated("fi", "You rejected the optional cookies, so none are set."))
    assert the_choices()[-1] == "withdrawn"
    assert "stats" not in cookie_names(other)

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)
    assert not refused, f"requests to other hosts: {refused}"
    assert requested
