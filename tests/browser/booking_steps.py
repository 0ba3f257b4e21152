"""What a customer does on the booking pages, step by step, and what they should see,
in Finnish: shared by the browser tests."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

SERVICE = "Klassinen hieronta 30 min"
WEEKDAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")

# The Finnish texts a customer reads and acts on (translations/fi).
BOOK_AN_APPOINTMENT = "Varaa aika"
DAY = "Päivä"
SHOW_FREE_TIMES = "Näytä vapaat ajat"
NEXT_DAY = "Seuraava päivä, jolla on vapaita aikoja"
NAME = "Nimi"
EMAIL = "Sähköposti"
PHONE = "Puhelin"
MESSAGE = "Viesti"
CONFIRM = "Vahvista varaus"
THANK_YOU = re.compile(r"^Kiitos")
NAME_MISSING = "Kerro nimesi."
PHONE_INVALID = re.compile(r"Tähän numeroon ei voi soittaa\.")
TIME_TAKEN = re.compile(r"joku muu ehti varata tämän ajan")
REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")


def finnish_date(day):
    """ti 24.11.2026"""
    return f"{WEEKDAYS[day.weekday()]} {day.day}.{day.month}.{day.year}"


def finnish_time(clock):
    """klo 14.30"""
    return f"klo {clock}"


def open_service_from_home(page: Page, service=SERVICE):
    """Home page → "Varaa aika" → the service: the times page."""
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name=BOOK_AN_APPOINTMENT).click()
    page.get_by_role("link", name=service, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(service)
    page_ready(page)


def page_ready(page: Page):
    """Wait for the page's load event, after which htmx has set up the page (its
    script is deferred): a person does not type in the few milliseconds before."""
    page.wait_for_load_state("load")


def settled(page: Page):
    """Wait until htmx has settled what it swapped in. It changes the address as it
    swaps, but gives the new content its behaviour only as it settles, a moment
    later: a choice made in between would go unnoticed."""
    expect(page.locator(".htmx-swapping, .htmx-settling")).to_have_count(0)


def choose_staff(page: Page, name, javascript):
    page.get_by_role("radio", name=name).check()
    if not javascript:
        page.get_by_role("button", name=SHOW_FREE_TIMES).click()
    else:  # the choice swaps in a new form with the times: wait until it has
        expect(page).to_have_url(re.compile(r"[?&]staff=\d"))
        settled(page)
    expect(page.get_by_role("radio", name=name)).to_be_checked()


def choose_day(page: Page, day, javascript):
    """Type the day before into the date field, then follow the link to the next day
    with free times: with JavaScript, both only swap the list of times."""
    page.get_by_label(DAY, exact=True).fill((day - timedelta(days=1)).isoformat())
    if not javascript:
        page.get_by_role("button", name=SHOW_FREE_TIMES).click()
    expect(_current_day_link(page, day - timedelta(days=1))).to_be_visible()
    settled(page)
    page.locator(".day-nav").get_by_role(
        "link", name=f"{NEXT_DAY}: {finnish_date(day)}"
    ).click()
    expect(_current_day_link(page, day)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]day={day.isoformat()}\b"))
    settled(page)


def _current_day_link(page, day):
    return page.locator(f'#free-times a[aria-current="date"][href*="day={day.isoformat()}"]')


def time_link(page: Page, day, clock):
    """The link of a free time, named like "ti 24.11.2026 klo 14.30"."""
    return page.get_by_role("link", name=f"{finnish_date(day)} {finnish_time(clock)}")


def choose_time(page: Page, day, clock):
    time_link(page, day, clock).click()
    expect(page.get_by_role("button", name=CONFIRM)).to_be_visible()
    page_ready(page)
    expect(page.locator("#booking-summary")).to_contain_text(
        f"{finnish_date(day)} {finnish_time(clock)}"
    )


def fill_details(page: Page, name, email, phone, message=None):
    field_labelled(page, NAME).fill(name)
    field_labelled(page, EMAIL).fill(email)
    field_labelled(page, PHONE).fill(phone)
    if message is not None:
        field_labelled(page, MESSAGE).fill(message)


def confirm(page: Page):
    page.get_by_role("button", name=CONFIRM).click()


def expect_confirmation(page: Page, day, clock, name):
    """The confirmation page: thanks, the reference, the time in Finnish form, and a
    working calendar file. Returns the booking reference."""
    expect(page).to_have_url(re.compile(r"/booking/[0-9a-f]+\?done=booked$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(THANK_YOU)
    reference = page.locator(".reference")
    expect(reference).to_have_text(REFERENCE)
    facts = page.locator(".booking-facts")
    expect(facts).to_contain_text(f"{finnish_date(day)} {finnish_time(clock)}")
    expect(facts).to_contain_text(name)
    calendar = page.locator('a[href$="/calendar.ics"]')
    expect(calendar).to_have_count(1)
    expect(calendar).to_have_accessible_name(re.compile(r"\.ics"))
    answer = page.request.get(calendar.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    text = answer.text()
    assert "BEGIN:VEVENT" in text
    assert reference.inner_text() in text
    return reference.inner_text()


def book_whole(page: Page, day, javascript, clock="14.30", name="Maija Meikäläinen"):
    """A whole booking from the home page, the way a customer clicks through it."""
    open_service_from_home(page)
    choose_day(page, day, javascript)
    choose_time(page, day, clock)
    fill_details(page, name, "maija@example.fi", "040 123 4567")
    confirm(page)
    return expect_confirmation(page, day, clock, name)


def only_own_origin(page: Page, server):
    """Refuse and record every request to another host; returns (requested,
    refused) for the test to check at its end."""
    origin = urlsplit(server.url)
    requested, refused = [], []

    def route(route):
        url = urlsplit(route.request.url)
        if (url.scheme, url.netloc) == (origin.scheme, origin.netloc):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.context.route("**/*", route)
    page.on("request", lambda request: requested.append(request.url))
    return requested, refused


def field_labelled(page, label):
    """The field whose label begins with `label` (others may hold the word later on:
    "Sähköposti" and a box to get news "sähköpostitse")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}"))
