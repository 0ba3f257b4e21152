"""What the privacy statement and a small phone ask of every page: no request to any
other host, and no sideways scrolling at 360 px."""

from urllib.parse import urlsplit

import pytest
from booking_steps import (
    book_whole,
    choose_day,
    choose_time,
    confirm,
    expect_confirmation,
    fill_details,
    only_own_origin,
    open_service_from_home,
)
from playwright.sync_api import expect
from support import next_weekday

pytestmark = [pytest.mark.browser, pytest.mark.server]

TUESDAY = 1
SMALL_PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_whole_booking_asks_nothing_from_other_hosts(open_page, server, javascript):
    page = open_page(javascript=javascript)
    requested, refused = only_own_origin(page, server)
    book_whole(page, next_weekday(TUESDAY), javascript)

    assert len(requested) > 10, requested
    own = urlsplit(server.url).netloc
    elsewhere = [url for url in requested if urlsplit(url).netloc != own]
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
    assert not refused, f"requests refused for going elsewhere: {refused}"


def test_pages_fit_a_360_px_screen(open_page):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=True, viewport=SMALL_PHONE)
    too_wide = {}

    def measure(name):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SMALL_PHONE["width"]:
            too_wide[name] = width

    page.goto("/")
    measure("home page")
    open_service_from_home(page)
    choose_day(page, day, javascript=True)
    measure("times page")
    choose_time(page, day, "14.30")
    measure("details form")
    fill_details(page, "", "maija@example", "123")
    confirm(page)
    expect(page.locator('[aria-invalid="true"]')).to_have_count(3)
    measure("details form with errors")
    fill_details(page, "Maija Meikäläinen", "maija@example.fi", "040 123 4567")
    confirm(page)
    expect_confirmation(page, day, "14.30", "Maija Meikäläinen")
    measure("confirmation page")
    assert not too_wide, f"wider than {SMALL_PHONE['width']} px: {too_wide}"
