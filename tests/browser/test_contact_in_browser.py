"""The contact form in real Chromium on a phone (390x844, and 360 px wide for fit), in
Finnish, with JavaScript on and off and by keyboard alone: the inline check that leaves
the focus where the person moved it, the minimum time, the confirmation, no request to
another host and no WCAG 2.1 A/AA problem; then staff answering the request in the
inbox.

Texts are looked up in the Finnish catalogue (`fi`), so the tests read what a Finnish
user reads, whichever messages are translated yet."""

import re
import time
from urllib.parse import urlsplit

import pytest
from booking_steps import only_own_origin, page_ready, settled
from playwright.sync_api import Page, expect
from support import PASSWORD, translated
from test_accessibility_in_browser import violations

import models
from models.people.contact_requests import ContactRequest
from views.public.contact import MIN_FILL_SECONDS

pytestmark = [pytest.mark.browser, pytest.mark.server]

SMALL_PHONE = {"width": 360, "height": 740}
STAFF_EMAIL = "aino@hieronta.example"  # tests/conftest.py: staff_account
NAME, EMAIL, PHONE = "Maija Meikäläinen", "maija@example.fi", "050 765 4321"
MESSAGE = "Hei! Onko perjantaina vapaita aikoja?"


def fi(message, **values):
    """`message` (the English msgid) as a Finnish user reads it."""
    return translated("fi", message, **values)


def stored():
    with models.db.connection_context():
        return list(ContactRequest.select().order_by(ContactRequest.id))


def open_contact_page(page: Page):
    """The home page → "Contact us" in the navigation."""
    page.goto("/")
    page.get_by_role("navigation", name=fi("Main")).get_by_role(
        "link", name=fi("Contact us")).click()
    expect(page).to_have_url(re.compile(r"/contact$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Contact us"))
    page_ready(page)
    return time.monotonic()


def wait_as_a_person(opened):
    """A person takes longer than the minimum to write a message; a test must wait."""
    remaining = opened + MIN_FILL_SECONDS + 1.2 - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def field(page: Page, label):
    """The field labelled `label` (its required mark aside), not a choice whose label
    merely begins the same way (Sähköposti, Sähköpostitse)."""
    return page.get_by_label(re.compile(rf"^{re.escape(fi(label))}( \*)?$"))


def error_of(page: Page, field_id):
    return page.locator(f"#{field_id}-error")


def send(page: Page):
    page.get_by_role("button", name=fi("Send the message")).click()


def expect_sent(page: Page, by_phone=False):
    expect(page).to_have_url(re.compile(r"/contact/sent\?reply=(email|phone)$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fi("Thank you, your message has reached us"))
    expect(page.get_by_role("main")).to_contain_text(fi(
        "We will call you at the number you gave." if by_phone
        else "We will answer by e-mail to the address you gave."))


def too_wide(page: Page, name):
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"{name}: {width} px wide"] if width > page.viewport_size["width"] else []


def test_contact_request_with_javascript_checks_each_field_in_place(open_page, server):
    page = open_page(javascript=True)
    requested, refused = only_own_origin(page, server)
    opened = open_contact_page(page)
    found = violations(page, "contact form")

    field(page, "Name").fill(NAME)
    field(page, "E-mail").fill("maija@")
    page.keyboard.press("Tab")  # on to the phone field: the e-mail address is checked
    page.keyboard.type(PHONE, delay=20)  # typed at once, while the check is under way
    expect(error_of(page, "email")).to_contain_text(
        fi("This is not an e-mail address. Check it, e.g. maija@example.fi."))
    expect(field(page, "E-mail")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact-check")).to_contain_text(fi("E-mail"))
    settled(page)
    expect(field(page, "Phone")).to_be_focused()  # the focus stays where the person is
    expect(field(page, "Phone")).to_have_value(PHONE)  # and nothing typed is lost
    found += violations(page, "contact form with a message at a field")

    field(page, "E-mail").fill(EMAIL)
    field(page, "E-mail").blur()
    expect(error_of(page, "email")).to_have_count(0)
    settled(page)
    page.get_by_role("radio", name=fi("By phone")).check()
    settled(page)
    field(page, "Subject").select_option(label=fi("Feedback"))
    field(page, "Message").fill(MESSAGE)
    wait_as_a_person(opened)
    send(page)
    expect_sent(page, by_phone=True)
    found += violations(page, "confirmation")

    (request,) = stored()
    assert (request.name, request.email, request.phone, request.preferred_reply,
            request.subject, request.language) == (
        NAME, EMAIL, "+358507654321", "phone", "feedback", "fi")
    own = urlsplit(server.url).netloc
    assert not [url for url in requested if urlsplit(url).netloc != own]
    assert not refused, f"requests refused for going elsewhere: {refused}"
    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)


def test_contact_request_without_javascript_and_the_minimum_time(open_page, server):
    page = open_page(javascript=False)
    requested, refused = only_own_origin(page, server)
    opened = open_contact_page(page)

    field(page, "E-mail").fill("maija@")
    field(page, "Message").fill(MESSAGE)
    send(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(error_of(page, "name")).to_have_text(fi("Tell us your name."))
    expect(field(page, "Message")).to_have_value(MESSAGE)

    field(page, "Name").fill(NAME)
    field(page, "E-mail").fill(EMAIL)
    if time.monotonic() - opened < MIN_FILL_SECONDS:
        send(page)  # sooner than a person could: refused, and kept
        expect(page.locator("#contact-notice")).to_contain_text(fi(
            "Almost there: your message is kept below. Please look it over once more "
            "and press \u201cSend the message\u201d again."))
        expect(field(page, "Name")).to_have_value(NAME)
        assert stored() == []
        opened = time.monotonic()
    wait_as_a_person(opened)
    send(page)
    expect_sent(page)

    assert len(stored()) == 1
    own = urlsplit(server.url).netloc
    assert not [url for url in requested if urlsplit(url).netloc != own]
    assert not refused


def tab_to(page: Page, selector, limit=40):
    """Press Tab until the focus is on an element matching the CSS selector; the
    robots' field is never reached on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.id")
        assert focused != "website", "the robots' field took the focus"
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_contact_request_by_keyboard_alone(open_page):
    page = open_page(javascript=True)
    page.goto("/contact")
    page_ready(page)
    opened = time.monotonic()

    tab_to(page, "#name")
    page.keyboard.type(NAME)
    page.keyboard.press("Tab")
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    expect(field(page, "Phone")).to_be_focused()
    page.keyboard.type(PHONE)
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name=fi("By e-mail"))).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=fi("By phone"))).to_be_checked()
    settled(page)
    expect(page.get_by_role("radio", name=fi("By phone"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(field(page, "Subject")).to_be_focused()
    page.keyboard.press("Tab")
    expect(field(page, "Message")).to_be_focused()
    page.keyboard.type(MESSAGE)
    tab_to(page, "button[type=submit]")
    wait_as_a_person(opened)
    page.keyboard.press("Enter")
    expect_sent(page, by_phone=True)
    assert stored()[0].preferred_reply == "phone"


def test_contact_pages_fit_a_360_px_screen_and_have_no_wcag_violations(open_page):
    page = open_page(javascript=True, viewport=SMALL_PHONE)
    page.goto("/contact")
    page_ready(page)
    found = too_wide(page, "contact form")
    send(page)  # everything missing
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator('[aria-invalid="true"]')).to_have_count(2)  # name, message
    found += too_wide(page, "contact form with errors")
    found += violations(page, "contact form with errors")
    page.goto("/contact/sent?reply=email")
    found += too_wide(page, "confirmation")
    assert not found, "\n".join(found)


def log_in(page: Page, email):
    page.goto("/staff/login")
    field(page, "E-mail").fill(email)
    page.get_by_label(fi("Password")).fill(PASSWORD)
    page.get_by_role("button", name=fi("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/calendar/$"))
    page_ready(page)


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, SMALL_PHONE],
                         ids=["laptop", "small-phone"])
def test_staff_answer_a_request_and_link_it_in_the_inbox(staff_account, open_page, viewport):
    sender = open_page(javascript=True)
    opened = open_contact_page(sender)
    field(sender, "Name").fill("Matti M")
    field(sender, "E-mail").fill("matti@asiakas.example")  # Matti of the demo register
    field(sender, "Message").fill("Kiitos hyvästä hieronnasta!\nTerveisin Matti")
    wait_as_a_person(opened)
    send(sender)
    expect_sent(sender)

    page = open_page(javascript=True, viewport=viewport)
    log_in(page, STAFF_EMAIL)
    nav = page.get_by_role("navigation", name=fi("Back office"))
    nav.locator("summary", has_text=fi("Messages")).click()
    inbox_link = nav.get_by_role("link", name=re.compile("^" + re.escape(fi("Inbox"))))
    expect(inbox_link).to_contain_text(translated("fi", "%(num)d new", num=1))
    inbox_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Inbox"))
    found = violations(page, "inbox") + too_wide(page, "inbox")
    page.get_by_role("link", name="Matti M", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matti M")
    page_ready(page)
    found += violations(page, "request") + too_wide(page, "request")

    # Answered on the phone: the note for it is folded under the e-mail answer.
    page.locator("summary", has_text=fi("Answered by phone or face to face? Note it instead")
                 ).click()
    page.get_by_role("button", name=fi("Mark as answered")).click()  # no note: refused
    note = page.get_by_label(fi("How you answered"))
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_be_focused()
    found += violations(page, "request with an error")
    note.fill("Kiitin sähköpostilla.")
    page.get_by_role("button", name=fi("Mark as answered")).click()
    expect(page.get_by_role("main")).to_contain_text(fi("Marked as answered."))

    search = page.get_by_label(fi("Find a customer in the register"))
    search.press_sequentially("meik", delay=40)  # found as one types
    results = page.locator("#customer-results")
    expect(results.get_by_role("button")).to_have_count(2)
    results.get_by_role("button", name=fi("Link to %(name)s", name="Matti Meikäläinen")).click()
    expect(page.get_by_role("main")).to_contain_text(
        fi("The request is linked to %(name)s.", name="Matti Meikäläinen"))
    page.get_by_role("button", name=fi("Close the request")).click()
    expect(page.get_by_role("button", name=fi("Reopen"))).to_be_visible()
    nav.locator("summary", has_text=fi("Messages")).click()
    expect(inbox_link).not_to_contain_text(translated("fi", "%(num)d new", num=1))
    assert not found, "\n".join(found)
