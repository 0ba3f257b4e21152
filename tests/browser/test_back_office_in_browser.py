"""Staff and the owner in the back office, in real Chromium on a laptop (1024x768) and a
tablet (768x1024), in Finnish, with JavaScript on and off: logging in, the calendar, a
booking for a customer who walks in (found in the register by typing, or added on the
spot), moving and cancelling it, the customer register, and an accessibility check of
every kind of back-office page.

The texts are looked up in the Finnish catalogue (`fi`), so the tests read what a
Finnish user reads, whichever messages are translated yet."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from booking_steps import finnish_date, only_own_origin, page_ready, settled
from playwright.sync_api import Page, expect
from support import PASSWORD, next_weekday, translated

import models
from engines.clock import HELSINKI
from models.privacy.data_requests import receive

pytestmark = [pytest.mark.browser, pytest.mark.server]

TUESDAY = 1
LAPTOP = {"width": 1024, "height": 768}
TABLET = {"width": 768, "height": 1024}
SCREENS = [pytest.param(LAPTOP, id="laptop"), pytest.param(TABLET, id="tablet")]
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
STAFF_EMAIL = "aino@hieronta.example"  # tests/conftest.py: staff_account, owner
OWNER_EMAIL = "olli@hieronta.example"
AINO, EERO = "Aino Esimerkki", "Eero Esimerkki"
MATTI = "Matti Meikäläinen"  # in the demo register
SERVICE = "Klassinen hieronta 30 min"


def fi(message, **values):
    """`message` (the English msgid) as a Finnish user reads it."""
    return translated("fi", message, **values)


def clock(text):
    """klo 14.30"""
    return fi("at %(time)s", time=text)


# --- steps ------------------------------------------------------------------------


def log_in_as(page: Page, email):
    page.goto("/staff/login")
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Log in to the back office"))
    page.get_by_label(fi("E-mail")).fill(email)
    page.get_by_label(fi("Password")).fill(PASSWORD)
    page.get_by_role("button", name=fi("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/calendar/$"))
    page_ready(page)


def go_to_day(page: Page, day, javascript):
    """The date picker of the day view: with JavaScript the calendar is swapped in
    and the address becomes the day's own."""
    page.get_by_label(fi("Go to a day")).fill(day.isoformat())
    if not javascript:
        page.locator(".date-picker").get_by_role("button", name=fi("Show")).click()
    expect(page).to_have_url(re.compile(rf"/staff/calendar/{day.isoformat()}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{day.day}.")
    settled(page)


def calendar_booking(page: Page, name):
    """A booking's link in the calendar grid, named by its customer."""
    return page.locator("table.calendar-grid").get_by_role(
        "link", name=re.compile(re.escape(name)))


def find_customer(page: Page, typed, name, javascript):
    """Type part of the name into the search of the new-booking page and choose the
    customer from what is found."""
    search = page.get_by_label(fi("Find a customer in the register"))
    if javascript:
        search.press_sequentially(typed, delay=40)  # search as you type: no button
    else:
        search.fill(typed)
        page.locator("form.customer-search").get_by_role(
            "button", name=fi("Search")).click()
    results = page.locator("#customer-results")
    expect(results.get_by_role("link")).to_have_count(1)
    results.get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(r"[?&]customer=\d"))
    expect(page.locator(".chosen-customer")).to_contain_text(name)
    settled(page)


def choose(page: Page, label, option, parameter, javascript):
    """A choice of the new-booking or move page: with JavaScript each choice swaps in
    the form anew (wait for it before the next), without it "Show free times"."""
    page.get_by_label(label, exact=True).select_option(label=option)
    if javascript:
        expect(page).to_have_url(re.compile(rf"[?&]{parameter}=\d"))
        settled(page)
    else:
        page.get_by_role("button", name=fi("Show free times")).click()
    expect(page.get_by_label(label, exact=True).locator("option:checked")).to_have_text(option)


def choose_time(page: Page, time_text):
    page.get_by_role("group", name=re.compile("^" + re.escape(fi("Time")))).get_by_role(
        "radio", name=time_text, exact=True).check()


def expect_booking_page(page: Page, customer, day, time_text, status="Confirmed"):
    expect(page).to_have_url(re.compile(r"/staff/calendar/booking/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{customer}: {SERVICE}")
    facts = page.locator(".booking-facts")
    expect(facts).to_contain_text(f"{finnish_date(day)} {clock(time_text)}")
    expect(page.locator(".status-label")).to_have_text(fi(status))


def book_for_found_customer(page: Page, day, javascript):
    """From the day view: a booking for Matti, found in the register, with Aino."""
    page.locator(".calendar-actions").get_by_role("link", name=fi("New booking")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("New booking"))
    page_ready(page)
    expect(page.get_by_label(fi("Day"), exact=True)).to_have_value(day.isoformat())
    if javascript:
        page.evaluate("window.stillTheSamePage = true")
    find_customer(page, "matt", MATTI, javascript)
    choose(page, fi("Service"), SERVICE, "service", javascript)
    choose(page, fi("Who"), AINO, "staff", javascript)
    choose_time(page, "10.00")
    if javascript:
        assert page.evaluate("window.stillTheSamePage") is True, "a choice loaded a page"
    page.get_by_role("button", name=fi("Book"), exact=True).click()
    expect_booking_page(page, MATTI, day, "10.00")
    expect(page.get_by_role("status")).to_have_text(fi("Booked."))


def book_for_new_customer(page: Page, day, javascript):
    """From the day view: a booking for someone not in the register yet, added on the
    booking form, with Eero."""
    page.locator(".calendar-actions").get_by_role("link", name=fi("New booking")).click()
    page_ready(page)
    choose(page, fi("Service"), SERVICE, "service", javascript)
    choose(page, fi("Who"), EERO, "staff", javascript)
    choose_time(page, "11.00")
    new_customer = page.get_by_role("group", name=fi("New customer"))
    new_customer.get_by_label(fi("Name")).fill("Ville Vieras")
    new_customer.get_by_label(fi("Phone")).fill("040 765 4321")
    page.get_by_role("button", name=fi("Book"), exact=True).click()
    expect_booking_page(page, "Ville Vieras", day, "11.00")
    customer = page.locator(".booking-facts").get_by_role("link", name="Ville Vieras")
    customer.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ville Vieras")
    expect(page.locator("#contact").get_by_role("link", name="040 765 4321")).to_have_attribute(
        "href", "tel:+358407654321")
    expect(page.locator("#bookings")).to_contain_text(f"{finnish_date(day)} {clock('11.00')}")


def move_booking(page: Page, day, time_text, javascript):
    page.get_by_role("link", name=fi("Move to another time")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Move the booking"))
    page_ready(page)
    expect(page.get_by_label(fi("Day"), exact=True)).to_have_value(day.isoformat())
    new_time = page.get_by_role("group", name=fi("New time"))
    new_time.get_by_role("radio", name=time_text, exact=True).check()
    page.get_by_role("button", name=fi("Move the booking")).click()
    expect_booking_page(page, MATTI, day, time_text)
    expect(page.get_by_role("status")).to_have_text(fi("Saved."))


def cancel_booking(page: Page, reason):
    page.get_by_text(fi("Cancel the booking…"), exact=True).click()  # opens the <details>
    page.get_by_label(fi("Reason for cancelling")).fill(reason)
    page.get_by_role("button", name=fi("Cancel the booking"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(fi("Saved."))
    expect(page.locator(".status-label")).to_have_text(fi("Cancelled"))
    reason_shown = page.locator(".booking-facts div", has_text=fi("Reason for cancelling"))
    expect(reason_shown).to_contain_text(reason)
    expect(page.get_by_role("link", name=fi("Move to another time"))).to_have_count(0)


def back_to_calendar(page: Page, day):
    page.get_by_role("link", name=fi("The calendar of %(day)s", day=finnish_date(day)),
                     exact=False).click()
    expect(page).to_have_url(re.compile(rf"/staff/calendar/{day.isoformat()}$"))
    page_ready(page)




def expect_only_own_origin(server, requested, refused):
    assert len(requested) > 10, requested
    netloc = urlsplit(server.url).netloc
    elsewhere = [url for url in requested if urlsplit(url).netloc != netloc]
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
    assert not refused, f"requests refused for going elsewhere: {refused}"


# --- 1, 2, 5: the whole back-office flow ------------------------------------------


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_walk_in_booking_moved_and_cancelled(staff_account, open_page, server, screen,
                                             javascript):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=javascript, viewport=screen)
    requested, refused = only_own_origin(page, server)

    log_in_as(page, STAFF_EMAIL)
    expect(page.locator(".account-menu summary")).to_contain_text(AINO)
    if javascript:
        page.evaluate("window.stillTheSamePage = true")
    go_to_day(page, day, javascript)
    if javascript:
        assert page.evaluate("window.stillTheSamePage") is True, "the day was a page load"
    expect(page.locator("table.calendar-grid .booking")).to_have_count(0)

    book_for_found_customer(page, day, javascript)
    back_to_calendar(page, day)
    booked = calendar_booking(page, MATTI)
    expect(booked).to_have_count(1)
    expect(booked).to_contain_text("10.00–10.30")
    expect(booked).to_contain_text(SERVICE)
    expect(booked).to_contain_text(fi("Confirmed"))
    booked.click()
    expect_booking_page(page, MATTI, day, "10.00")

    move_booking(page, day, "14.30", javascript)
    cancel_booking(page, "Asiakas soitti: flunssa.")

    back_to_calendar(page, day)
    expect(calendar_booking(page, MATTI)).to_have_count(0)
    cancelled = page.get_by_role("region", name=fi("Cancelled bookings"))
    expect(cancelled.get_by_role("link")).to_have_text(
        f"14.30 {AINO}: {MATTI}, {SERVICE}")

    book_for_new_customer(page, day, javascript)
    page.goto(f"/staff/calendar/{day.isoformat()}")
    expect(calendar_booking(page, "Ville Vieras")).to_contain_text("11.00–11.30")

    expect_only_own_origin(server, requested, refused)


# --- 3: the customer register -----------------------------------------------------


@pytest.mark.parametrize("screen", SCREENS)
def test_register_found_by_typing_and_by_the_plain_form(staff_account, open_page, screen):
    for javascript in (True, False):
        page = open_page(javascript=javascript, viewport=screen)
        log_in_as(page, STAFF_EMAIL)
        page.get_by_role("navigation", name=fi("Back office")).get_by_role(
            "link", name=fi("Customers")).click()
        expect(page).to_have_url(re.compile(r"/staff/customers/$"))
        page_ready(page)
        rows = page.locator("#customer-results tbody tr")
        expect(rows).to_have_count(2)  # the demo register: Matti and Maija

        search = page.get_by_label(fi("Find by name, e-mail or phone"))
        if javascript:
            page.evaluate("window.stillTheSamePage = true")
            search.press_sequentially("maij", delay=40)
        else:
            search.fill("maij")
            page.locator("#customer-search").get_by_role("button", name=fi("Search")).click()
        expect(page).to_have_url(re.compile(r"[?&]q=maij\b"))
        expect(rows).to_have_count(1)
        settled(page)
        expect(page.locator("#customer-results [role=status]")).to_have_text(
            re.compile(r"^1\b"))
        if javascript:
            assert page.evaluate("window.stillTheSamePage") is True, "the search loaded a page"
        expect(search).to_have_value("maij")

        rows.get_by_role("link", name="Maija Meikäläinen").click()
        expect(page).to_have_url(re.compile(r"/staff/customers/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Maija Meikäläinen")
        expect(page.locator("#contact")).to_contain_text("maija@asiakas.example")
        expect(page.locator("#bookings table tbody tr")).not_to_have_count(0)


# --- 4: accessibility -------------------------------------------------------------


def problems(page, name):
    """axe-core's WCAG 2.1 A/AA violations on the page, one readable line per
    element, and a line if the page scrolls sideways (only the calendar's own region
    may)."""
    page_ready(page)
    found = Axe().run(page, options=WCAG_21_AA).response["violations"]
    lines = [
        f"{name}: {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}\n"
        f"    {node['failureSummary'].replace(chr(10), chr(10) + '    ')}"
        for violation in found
        for node in violation["nodes"]
    ]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        lines.append(f"{name}: scrolls sideways, {width} px wide")
    return lines


def demo_day():
    """The day of the first demo booking (Matti with Aino at 10): the first weekday
    after today (models/demo.py)."""
    day = datetime.now(HELSINKI).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("screen", SCREENS)
def test_back_office_pages_have_no_wcag_violations_and_fit_the_screen(staff_account, owner,
                                                                    open_page, screen):
    day, test_day = demo_day(), next_weekday(TUESDAY)
    page = open_page(javascript=True, viewport=screen)
    page.goto("/staff/login")
    found = problems(page, "login page")
    page.get_by_role("button", name=fi("Log in"), exact=True).click()
    expect(page.locator('[aria-invalid="true"]')).to_have_count(2)
    found += problems(page, "login page with errors")

    log_in_as(page, STAFF_EMAIL)
    page.goto(f"/staff/calendar/{day.isoformat()}")
    expect(calendar_booking(page, MATTI)).to_have_count(1)
    found += problems(page, "day view")
    page.get_by_role("columnheader").get_by_role("link", name=AINO).click()
    expect(page).to_have_url(re.compile(r"/staff/calendar/week/\d+/"))
    expect(calendar_booking(page, MATTI).first).to_be_visible()
    found += problems(page, "week view")
    calendar_booking(page, MATTI).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(MATTI)
    found += problems(page, "booking page")
    page.get_by_text(fi("Cancel the booking…"), exact=True).click()
    page.get_by_role("button", name=fi("Cancel the booking"), exact=True).click()
    expect(page.get_by_label(fi("Reason for cancelling"))).to_have_attribute(
        "aria-invalid", "true")
    found += problems(page, "booking page with an error")
    page.get_by_role("link", name=fi("Move to another time")).click()
    expect(page.get_by_role("radio").first).to_be_visible()
    found += problems(page, "move page")

    page.goto(f"/staff/calendar/new?day={test_day.isoformat()}&service=1&staff=1&q=meik")
    expect(page.locator("#customer-results").get_by_role("link")).to_have_count(2)
    expect(page.get_by_role("radio").first).to_be_visible()
    found += problems(page, "new-booking page")
    page.get_by_role("button", name=fi("Book"), exact=True).click()
    expect(page.get_by_role("group", name=fi("New customer")).get_by_label(fi("Name")))\
        .to_have_attribute("aria-invalid", "true")
    found += problems(page, "new-booking page with errors")

    page.goto("/staff/customers/")
    found += problems(page, "register")
    page.get_by_role("link", name=MATTI).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MATTI)
    found += problems(page, "customer's page")

    with models.db.connection_context():  # a request about Matti's data, for its page
        receive("access", customer=1, source="phone", identity_check="called back")
    page = open_page(javascript=True, viewport=screen)
    log_in_as(page, OWNER_EMAIL)
    for path, heading, name in (("/staff/settings/", fi("Settings"), "settings overview"),
                                ("/staff/settings/staff/1", AINO, "a staff member's hours"),
                                ("/staff/accounts/", fi("Accounts"), "accounts"),
                                ("/staff/audit/", fi("Audit log"), "audit log"),
                                ("/staff/mail/", fi("E-mail"), "e-mail"),
                                ("/staff/inbox/", fi("Inbox"), "inbox"),
                                ("/staff/requests/", fi("Data requests"), "data requests"),
                                ("/staff/requests/new?q=meik",
                                 fi("Record a request about a person's data"),
                                 "new data request"),
                                ("/staff/requests/1", f"{fi('Access')}: {MATTI}",
                                 "a data request"),
                                ("/staff/records/processing", fi("Record of processing"),
                                 "record of processing"),
                                ("/staff/records/retention", fi("Retention periods"),
                                 "retention periods"),
                                ("/staff/records/processors", fi("Processors"), "processors"),
                                ("/staff/records/breaches/", fi("Breach log"), "breach log"),
                                ("/staff/records/breaches/new", fi("Record a breach"),
                                 "new breach")):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        found += problems(page, name)

    assert not found, "axe-core's WCAG 2.1 A/AA violations, pages too wide:\n" + "\n".join(
        found)


# --- 6: the keyboard --------------------------------------------------------------


def tab_to(page, selector, limit=80):
    """Press Tab until the focus is on an element matching the CSS selector."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_keyboard_only_log_in_and_open_the_first_booking(staff_account, open_page):
    day = demo_day()
    page = open_page(javascript=True, viewport=LAPTOP)
    page.goto("/staff/login")
    page_ready(page)
    tab_to(page, "input[type=email]")
    page.keyboard.type(STAFF_EMAIL)
    page.keyboard.press("Tab")
    expect(page.get_by_label(fi("Password"))).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/calendar/$"))
    page_ready(page)

    # To the day of the first demo booking, one "Next day" at a time; the focus
    # stays on the link as each day is swapped in.
    today = datetime.now(HELSINKI).date()
    tab_to(page, "#calendar-next")
    for _ in range((day - today).days):
        shown = page.get_by_role("heading", level=1).inner_text()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).not_to_have_text(shown)
        expect(page.locator("#calendar-next")).to_be_focused()
        settled(page)
    expect(page).to_have_url(re.compile(rf"/staff/calendar/{day.isoformat()}$"))

    tab_to(page, "a.booking")
    expect(page.locator(":focus")).to_contain_text(MATTI)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/calendar/booking/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{MATTI}: Klassinen hieronta 60 min")


# --- the calendar: an empty slot books, blocks to scale -----------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_empty_slot_starts_a_booking_at_its_time_and_blocks_are_to_scale(
        staff_account, open_page, javascript):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=javascript, viewport=LAPTOP)
    log_in_as(page, STAFF_EMAIL)
    go_to_day(page, day, javascript)
    slot = page.locator("table.calendar-grid").get_by_role(
        "link", name=f"{fi('New booking')} 10.00, {AINO}", exact=True)
    slot.focus()  # reachable by keyboard
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/calendar/new\?.*time=10\.00"))
    page_ready(page)
    expect(page.get_by_label(fi("Who"), exact=True).locator("option:checked")).to_have_text(AINO)
    expect(page.get_by_label(fi("Day"), exact=True)).to_have_value(day.isoformat())
    expect(page.get_by_label(fi("Another time"))).to_have_value("10.00")
    choose(page, fi("Service"), SERVICE, "service", javascript)
    time_group = page.get_by_role("group", name=re.compile("^" + re.escape(fi("Time"))))
    expect(time_group.get_by_role("radio", name="10.00", exact=True)).to_be_checked()
    new_customer = page.get_by_role("group", name=fi("New customer"))
    new_customer.get_by_label(fi("Name")).fill("Ville Vieras")
    new_customer.get_by_label(fi("Phone")).fill("040 765 4321")
    page.get_by_role("button", name=fi("Book"), exact=True).click()
    expect_booking_page(page, "Ville Vieras", day, "10.00")

    # A 30-minute booking is drawn as tall as two quarter-hour rows, half an hour.
    page.goto(f"/staff/calendar/{day.isoformat()}")
    block = calendar_booking(page, "Ville Vieras").bounding_box()
    row = page.locator("table.calendar-grid tbody tr").first.bounding_box()
    assert abs(block["height"] - 2 * row["height"]) <= 2, (block, row)
