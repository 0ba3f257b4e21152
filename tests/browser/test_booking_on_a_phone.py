"""The booking page on a phone, in real Chromium: the first free times on the first
screen, honest day labels, and the details form checking each field as it is left."""

import re
from datetime import timedelta

import pytest
from booking_steps import EMAIL, NAME, PHONE, field_labelled, page_ready, settled
from playwright.sync_api import expect
from support import CLASSIC_60, next_weekday

import models
from engines.clock import today
from models.business import Business

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE_SCREEN = {"width": 390, "height": 844}
SATURDAY = 5  # Aino works Monday to Friday, Eero Tuesday to Saturday


def top_and_bottom(locator):
    box = locator.bounding_box()
    return box["y"], box["y"] + box["height"]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_first_free_times_are_on_the_first_screen_after_choosing_a_service(open_page,
                                                                           javascript):
    page = open_page(javascript=javascript, viewport=PHONE_SCREEN)
    page.goto("/book")
    page.locator("#service-list").get_by_role("link", name="Klassinen hieronta 60 min",
                                              exact=True).click()
    page_ready(page)
    first_time = page.locator("a.time").first
    expect(first_time).to_be_visible()
    _, bottom = top_and_bottom(first_time)
    assert bottom <= PHONE_SCREEN["height"], f"the first free time ends {bottom:.0f} px down"
    assert page.evaluate("scrollY") == 0
    # The button that only sends the day and person choice is there without JavaScript
    # (the choice cannot send itself then) and hidden with it.
    button = page.get_by_role("button", name="Näytä vapaat ajat")
    if javascript:
        expect(button).to_be_hidden()
    else:
        expect(button).to_be_visible()


def test_day_strip_scrolls_sideways_and_keeps_the_page_narrow(open_page):
    page = open_page(viewport={"width": 360, "height": 800})
    page.goto(f"/book/{CLASSIC_60}?staff=any&day={next_weekday(1).isoformat()}")
    page_ready(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    strip = page.locator(".day-strip ul")
    assert strip.evaluate("el => el.scrollWidth > el.clientWidth")
    days = page.locator(".day-strip .day")
    expect(days).to_have_count(7)
    first_top, first_bottom = top_and_bottom(days.first)
    for index in range(1, 7):  # one row: every day beside the first, none below it
        top, _ = top_and_bottom(days.nth(index))
        assert first_top - 1 <= top < first_bottom
    # weekday, date without the year, how many free
    assert re.fullmatch(r"ti\s+\d{1,2}\.\d{1,2}\.\s+\d+ vapaata?", days.first.inner_text(), re.I)


def test_days_beyond_the_horizon_are_not_yet_open_for_booking(open_page, app):
    with app.app_context(), models.db.connection_context():
        horizon = Business.current().horizon_days
    last_day = today() + timedelta(days=horizon)
    page = open_page()
    page.goto(f"/book/{CLASSIC_60}?staff=any&day={(last_day - timedelta(days=2)).isoformat()}")
    page_ready(page)
    later = page.locator(f"#day-link-{(last_day + timedelta(days=1)).isoformat()}")
    expect(later).to_contain_text("ei vielä varattavissa")
    expect(page.locator(".day-strip")).not_to_contain_text("täynnä")
    # Not a link: there is nothing to see there yet.
    assert later.evaluate("el => el.tagName") == "SPAN"
    assert page.get_by_label("Päivä", exact=True).get_attribute("max") == last_day.isoformat()


def test_a_persons_day_off_says_they_are_not_working(open_page):
    saturday = next_weekday(SATURDAY)
    page = open_page()
    page.goto(f"/book/{CLASSIC_60}?staff=any&day={saturday.isoformat()}")
    page_ready(page)
    page.get_by_role("radio", name="Aino Esimerkki").check()
    expect(page).to_have_url(re.compile(r"[?&]staff=1\b"))
    settled(page)
    day = page.locator(f"#day-link-{saturday.isoformat()}")
    expect(day).to_contain_text("Aino Esimerkki ei ole töissä")
    expect(page.locator("#no-times")).to_contain_text(
        "Aino Esimerkki ei ole töissä tänä päivänä.")
    sunday = page.locator(f"#day-link-{(saturday + timedelta(days=1)).isoformat()}")
    expect(sunday).to_contain_text("suljettu")  # nobody works on Sundays


def test_details_form_checks_each_field_as_it_is_left(open_page):
    day = next_weekday(1)
    page = open_page()
    page.goto(f"/book/{CLASSIC_60}?staff=any&day={day.isoformat()}")
    page.locator("a.time").first.click()
    page_ready(page)
    field_labelled(page, EMAIL).fill("maija@")
    field_labelled(page, PHONE).focus()  # the e-mail is left
    error = page.locator("#email-error")
    expect(error).to_contain_text("Tämä ei ole sähköpostiosoite")
    expect(error).to_contain_text("esim. maija@example.fi")
    expect(field_labelled(page, EMAIL)).to_have_attribute("aria-invalid", "true")
    expect(field_labelled(page, EMAIL)).to_have_value("maija@")
    expect(field_labelled(page, PHONE)).to_be_focused()  # the focus is left alone

    field_labelled(page, PHONE).fill("12")
    field_labelled(page, NAME).focus()
    phone_error = page.locator("#phone-error")
    expect(phone_error).to_contain_text("esim. 040 123 4567 tai +358 40 123 4567")
    expect(phone_error).not_to_contain_text("+46")

    field_labelled(page, EMAIL).fill("maija@example.fi")
    field_labelled(page, NAME).focus()
    expect(error).to_have_count(0)
    expect(page.locator("#booking-check")).to_have_attribute("role", "status")
    expect(page.get_by_role("button", name="Vahvista varaus")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_confirm_button_is_in_sight_and_never_covers_the_field_in_focus(open_page,
                                                                           javascript):
    page = open_page(javascript=javascript, viewport=PHONE_SCREEN)
    page.goto(f"/book/{CLASSIC_60}?staff=any&day={next_weekday(1).isoformat()}")
    page.locator("a.time").first.click()
    page_ready(page)
    button = page.get_by_role("button", name="Vahvista varaus")
    top, bottom = top_and_bottom(button)
    assert bottom <= PHONE_SCREEN["height"], f"the confirm button ends {bottom:.0f} px down"
    assert page.evaluate("scrollY") == 0
    # Tabbing down the form, each field lands above the bar that holds the button.
    for label in (NAME, EMAIL, PHONE):
        field = field_labelled(page, label)
        field.focus()
        _, field_bottom = top_and_bottom(field)
        bar_top, _ = top_and_bottom(page.locator(".confirm-bar"))
        assert field_bottom <= bar_top, f"{label} is under the confirm bar"
