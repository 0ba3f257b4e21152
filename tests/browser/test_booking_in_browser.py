"""A customer books in real Chromium on a phone, in Finnish, with JavaScript on and off."""

import re
from datetime import timedelta

import pytest
from booking_steps import (
    CONFIRM,
    EMAIL,
    MESSAGE,
    NAME,
    NAME_MISSING,
    PHONE,
    PHONE_INVALID,
    TIME_TAKEN,
    choose_day,
    choose_staff,
    choose_time,
    confirm,
    expect_confirmation,
    fill_details,
    finnish_date,
    finnish_time,
    open_service_from_home,
    page_ready,
    time_link,
)
from playwright.sync_api import expect
from support import next_weekday

pytestmark = [pytest.mark.browser, pytest.mark.server]

TUESDAY = 1


def test_booking_with_javascript_by_keyboard(open_page):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=True)
    open_service_from_home(page)
    page.evaluate("window.stillTheSamePage = true")

    choose_day(page, day, javascript=True)
    assert page.evaluate("window.stillTheSamePage") is True, "the day was a page load"

    time_link(page, day, "14.30").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=CONFIRM)).to_be_visible()
    page_ready(page)
    page.get_by_label(NAME).focus()
    page.keyboard.type("Maija Meikäläinen")
    page.keyboard.press("Tab")
    expect(page.get_by_label(EMAIL)).to_be_focused()
    page.keyboard.type("maija@example.fi")
    page.keyboard.press("Tab")
    expect(page.get_by_label(PHONE)).to_be_focused()
    page.keyboard.type("040 123 4567")
    page.keyboard.press("Enter")

    expect_confirmation(page, day, "14.30", "Maija Meikäläinen")
    with page.expect_download() as download:
        page.locator('a[href$="/calendar.ics"]').click()
    assert download.value.suggested_filename.endswith(".ics")


def test_booking_without_javascript(open_page):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=False)
    open_service_from_home(page)
    choose_day(page, day, javascript=False)
    choose_time(page, day, "14.30")
    fill_details(page, "Matti Virtanen", "matti@example.fi", "+358 50 765 4321")
    confirm(page)
    expect_confirmation(page, day, "14.30", "Matti Virtanen")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_bad_input_is_shown_at_the_fields_and_kept(open_page, javascript):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=javascript)
    open_service_from_home(page)
    choose_day(page, day, javascript)
    choose_time(page, day, "10.15")
    fill_details(page, "", "maija@example.fi", "123", message="Selkä on jumissa.")
    confirm(page)

    name, phone = page.get_by_label(NAME), page.get_by_label(PHONE)
    expect(name).to_have_attribute("aria-invalid", "true")
    # The field's example, then what is wrong.
    expect(name).to_have_accessible_description(re.compile(re.escape(NAME_MISSING)))
    expect(page.locator(".field", has=name)).to_contain_text(NAME_MISSING)
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(PHONE_INVALID)
    expect(page.locator(".field", has=phone)).to_contain_text(PHONE_INVALID)
    expect(page.get_by_label(EMAIL)).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(EMAIL)).to_have_value("maija@example.fi")
    expect(phone).to_have_value("123")
    expect(page.get_by_label(MESSAGE)).to_have_value("Selkä on jumissa.")
    expect(page.locator("#booking-summary")).to_contain_text(
        f"{finnish_date(day)} {finnish_time('10.15')}"
    )
    if javascript:  # the summary of what to fix takes the focus, and links to the fields
        expect(page.locator("#error-summary")).to_be_focused()

    name.fill("Maija Meikäläinen")
    phone.fill("040 123 4567")
    confirm(page)
    expect_confirmation(page, day, "10.15", "Maija Meikäläinen")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_second_customer_gets_taken_message_and_keeps_details(open_page, javascript):
    day = next_weekday(TUESDAY)
    pages = [open_page(javascript=javascript), open_page(javascript=javascript)]
    for number, page in enumerate(pages, start=1):
        open_service_from_home(page)
        choose_staff(page, "Aino Esimerkki", javascript)
        choose_day(page, day, javascript)
        choose_time(page, day, "14.30")
        fill_details(page, f"Asiakas {number}", f"asiakas{number}@example.fi",
                     f"040 000 000{number}", message=f"Viesti {number}")

    def booking_post(response):
        # Not the inline check of the field just left, which the click also sends.
        return (response.request.method == "POST" and "/details" in response.url
                and "check=" not in (response.request.post_data or ""))

    first, second = pages
    with first.expect_response(booking_post) as first_answer, \
            second.expect_response(booking_post) as second_answer:
        first.get_by_role("button", name=CONFIRM).click()
        second.get_by_role("button", name=CONFIRM).click()
    answers = [first_answer.value, second_answer.value]
    booked = 200 if javascript else 303  # htmx is sent to the confirmation by HX-Redirect
    assert sorted(answer.status for answer in answers) == [booked, 409], answers
    winner, loser = (1, 2) if answers[0].status == booked else (2, 1)
    if javascript:
        assert answers[loser - 1].text().lstrip().startswith('<div id="booking-form">'), \
            "the taken message should come as the form's fragment, not a whole page"

    expect_confirmation(pages[winner - 1], day, "14.30", f"Asiakas {winner}")

    page = pages[loser - 1]
    expect(page).to_have_url(re.compile(r"/details\b"))
    notice = page.get_by_role("alert")
    expect(notice).to_have_text(TIME_TAKEN)
    if javascript:
        expect(notice).to_be_focused()
    expect(page.get_by_label(NAME)).to_have_value(f"Asiakas {loser}")
    expect(page.get_by_label(EMAIL)).to_have_value(f"asiakas{loser}@example.fi")
    expect(page.get_by_label(PHONE)).to_have_value(f"040 000 000{loser}")
    expect(page.get_by_label(MESSAGE)).to_have_value(f"Viesti {loser}")
    other_times = page.get_by_role("radio", name=re.compile(re.escape(finnish_date(day))))
    expect(other_times.first).to_be_visible()
    taken = f"{finnish_date(day)} {finnish_time('14.30')}"
    expect(page.get_by_role("radio", name=taken)).to_have_count(0)

    page.get_by_role("radio", name=f"{finnish_date(day)} {finnish_time('16.00')}").check()
    confirm(page)
    expect_confirmation(page, day, "16.00", f"Asiakas {loser}")


def test_choosing_a_person_keeps_the_day_shown(open_page):
    """The day and person choices are swapped in with the times, so they never fall
    out of step with the day shown."""
    day = next_weekday(TUESDAY)
    page = open_page(javascript=True)
    open_service_from_home(page)
    choose_day(page, day, javascript=True)
    page.get_by_role("radio", name="Aino Esimerkki").check()
    expect(page).to_have_url(re.compile(r"[?&]staff=\d"))
    assert f"day={day.isoformat()}" in page.url, f"the day changed: {page.url}"


def tab_to(page, selector, limit=80):
    """Press Tab until the focus is on an element matching the CSS selector."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_keyboard_only_from_times_to_details(open_page):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=True)
    open_service_from_home(page)
    monday = (day - timedelta(days=1)).isoformat()
    page.goto(f"{page.url}?staff=any&day={monday}")

    tab_to(page, f'.day-strip a[href*="day={day.isoformat()}"]')
    page.keyboard.press("Enter")
    # The list of times is swapped in; the focus stays on the day, not lost.
    expect(page.locator(f'.day-strip a[aria-current="date"][href*="day={day.isoformat()}"]'))\
        .to_be_focused()

    tab_to(page, "a.time")
    chosen = page.locator(":focus").get_attribute("aria-label")
    assert re.fullmatch(rf"{re.escape(finnish_date(day))} klo \d{{1,2}}\.\d\d", chosen)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=CONFIRM)).to_be_visible()
    expect(page.locator("#booking-summary")).to_contain_text(chosen)
