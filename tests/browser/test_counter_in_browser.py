"""The back office at the counter in real Chromium, in Finnish: the grouped navigation
on one line of a tablet and its menus with and without JavaScript, and answering a
contact request from the inbox."""

import re
import secrets

import pytest
from booking_steps import page_ready
from playwright.sync_api import Page, expect
from support import PASSWORD, translated

import models
from models.messages.outbox import CONTACT_ANSWER, OutboxMessage
from models.people.contact_requests import ContactDetails, receive

pytestmark = [pytest.mark.browser, pytest.mark.server]

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
OWNER_EMAIL = "olli@hieronta.example"


def fi(message, **values):
    return translated("fi", message, **values)


def log_in(page: Page, email):
    page.goto("/staff/login")
    page.get_by_label(fi("E-mail")).fill(email)
    page.get_by_label(fi("Password")).fill(PASSWORD)
    page.get_by_role("button", name=fi("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/calendar/$"))
    page_ready(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_navigation_fits_one_line_of_a_tablet_and_its_menus_open(owner, open_page,
                                                                   javascript):
    page = open_page(javascript=javascript, viewport=TABLET)
    log_in(page, OWNER_EMAIL)
    items = page.locator(".staff-nav-bar > li")
    tops = {round(items.nth(index).bounding_box()["y"]) for index in range(items.count())}
    assert len(tops) == 1, tops  # one line
    nav = page.get_by_role("navigation", name=fi("Back office"))
    nav.locator("summary", has_text=fi("Messages")).click()
    nav.get_by_role("link", name=fi("Inbox")).click()
    expect(page).to_have_url(re.compile(r"/staff/inbox/$"))
    page.locator(".account-menu summary").click()
    expect(page.get_by_role("button", name=fi("Log out"))).to_be_visible()
    page.get_by_role("button", name=fi("Log out")).click()
    expect(page).to_have_url(re.compile(r"/staff/login"))


def test_a_phone_reaches_every_group_without_javascript(owner, open_page):
    page = open_page(javascript=False, viewport=PHONE)
    log_in(page, OWNER_EMAIL)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    nav = page.get_by_role("navigation", name=fi("Back office"))
    nav.locator("summary", has_text=fi("Settings")).click()
    nav.get_by_role("link", name=fi("Audit log")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/audit"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_answer_sent_from_the_inbox_joins_the_thread(owner, open_page, javascript):
    with models.db.connection_context():
        request = receive(ContactDetails(
            "Liisa Laine", "liisa@example.fi", "", "booking", "Onko perjantaina tilaa?",
            "email", "fi"), secrets.token_hex(8))
    page = open_page(javascript=javascript, viewport=TABLET)
    log_in(page, OWNER_EMAIL)
    page.goto(f"/staff/inbox/{request.id}")
    page_ready(page)
    page.get_by_role("button", name=fi("Send the answer")).click()
    expect(page.get_by_text(fi("Write the answer to send."))).to_be_visible()
    page.get_by_label(fi("Your answer")).fill("Perjantaina klo 14 on tilaa.")
    page.get_by_role("button", name=fi("Send the answer")).click()
    expect(page.get_by_text(fi("The answer is on its way to %(email)s.",
                               email="liisa@example.fi"))).to_be_visible()
    thread = page.locator("#thread")
    expect(thread).to_contain_text("Perjantaina klo 14 on tilaa.")
    expect(thread).to_contain_text("Olli Omistaja")
    with models.db.connection_context():
        assert OutboxMessage.select().where(OutboxMessage.kind == CONTACT_ANSWER).count() == 1
