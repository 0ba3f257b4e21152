"""A customer opens their booking's link in real Chromium on a phone, in Finnish, moves
the booking and then cancels it: with JavaScript on (by keyboard), and with it off."""


import pytest
from booking_steps import (
    book_whole,
    choose_day,
    finnish_date,
    finnish_time,
    only_own_origin,
    page_ready,
    settled,
    time_link,
)
from playwright.sync_api import expect
from support import next_weekday, translated
from test_accessibility_in_browser import violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

TUESDAY = 1
NARROW_PHONE = {"width": 360, "height": 740}


def finnish(message, **values):
    """The Finnish text of `message` (until it is translated, the English itself)."""
    return translated("fi", message, **values)


def open_move(page, day, javascript, found=None):
    """From the booking's page to the new time's confirmation, at 10.00 on `day`;
    with `found`, axe-core's findings on the times page are added to it."""
    page.get_by_role("link", name=finnish("Move to another time")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(finnish("Move your booking"))
    page_ready(page)
    choose_day(page, day, javascript)
    if found is not None:
        found += violations(page, "times to move to")
    time_link(page, day, "10.00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        finnish("Confirm the new time"))
    page_ready(page)
    expect(page.locator("#move-summary")).to_contain_text(
        f"{finnish_date(day)} {finnish_time('10.00')}")


def expect_moved(page, day, link):
    expect(page).to_have_url(f"{link}?done=moved")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        finnish("Your booking has been moved"))
    expect(page.locator(".booking-facts")).to_contain_text(
        f"{finnish_date(day)} {finnish_time('10.00')}")


def expect_cancelled(page, link):
    expect(page).to_have_url(f"{link}?done=cancelled")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        finnish("This booking has been cancelled"))
    expect(page.get_by_role("link", name=finnish("Cancel the booking"))).to_have_count(0)


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_move_then_cancel_with_javascript_by_keyboard(open_page, server):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=True)
    requested, refused = only_own_origin(page, server)
    book_whole(page, day, javascript=True)
    link = page.url.removesuffix("?done=booked")
    found = violations(page, "booking's page")

    open_move(page, day, javascript=True, found=found)
    found += violations(page, "new time's confirmation")
    page.get_by_role("button", name=finnish("Move the booking")).focus()
    page.keyboard.press("Enter")
    expect_moved(page, day, link)
    page_ready(page)
    found += violations(page, "moved booking's page")

    page.get_by_role("link", name=finnish("Cancel the booking")).focus()
    page.keyboard.press("Enter")
    question = page.get_by_role("alert")
    expect(question).to_contain_text(finnish("Cancel this booking?"))
    expect(question).to_be_focused()  # a keyboard or screen-reader user hears it
    expect(page).to_have_url(f"{link}/cancel")
    settled(page)
    found += violations(page, "cancel question")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=finnish("Yes, cancel the booking"))).to_be_focused()
    page.keyboard.press("Enter")
    expect_cancelled(page, link)
    found += violations(page, "cancelled booking's page")

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)
    assert not refused, f"requests to other hosts: {refused}"
    assert all(url.startswith(server.url) for url in requested)


def test_move_and_cancel_without_javascript(open_page, server):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=False)
    requested, refused = only_own_origin(page, server)
    book_whole(page, day, javascript=False)
    link = page.url.removesuffix("?done=booked")

    open_move(page, day, javascript=False)
    page.get_by_role("button", name=finnish("Move the booking")).click()
    expect_moved(page, day, link)

    page.get_by_role("link", name=finnish("Cancel the booking")).click()
    expect(page).to_have_url(f"{link}/cancel")
    expect(page.get_by_role("alert")).to_contain_text(finnish("Cancel this booking?"))
    page.get_by_role("button", name=finnish("Yes, cancel the booking")).click()
    expect_cancelled(page, link)
    assert not refused, f"requests to other hosts: {refused}"


def test_changing_ones_mind_keeps_the_booking(open_page):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=True)
    book_whole(page, day, javascript=True)
    link = page.url.removesuffix("?done=booked")
    page.get_by_role("link", name=finnish("Cancel the booking")).click()
    page.get_by_role("link", name=finnish("No, keep the booking")).click()
    expect(page).to_have_url(link)
    expect(page.get_by_role("link", name=finnish("Move to another time"))).to_be_visible()
    # The page no longer thanks: it says where the booking stands.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        finnish("Your booking is confirmed"))


def test_booking_pages_fit_a_narrow_phone(open_page):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=False, viewport=NARROW_PHONE)
    book_whole(page, day, javascript=False)
    link = page.url.removesuffix("?done=booked")
    for address in (link, f"{link}/cancel", f"{link}/move"):
        page.goto(address)
        assert fits_the_screen(page), f"{address} is wider than a 360 px screen"
