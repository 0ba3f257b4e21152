"""'My data' in real Chromium on a phone (390x844, and 360 px wide for fit), in Finnish,
with JavaScript on and off and by keyboard alone: a customer asks for the link, opens it
from the e-mail that arrived, sees their data, downloads it as JSON and asks for a
correction; with no request to another host and no WCAG 2.1 A/AA problem.

Texts are looked up in the Finnish catalogue (`fi`), so the tests read what a Finnish
user reads, whichever messages are translated yet."""

import json
import re
from datetime import datetime, time

import pytest
from booking_steps import only_own_origin, page_ready
from playwright.sync_api import Page, expect
from support import next_weekday, translated
from test_accessibility_in_browser import violations

import models
import worker
from engines.clock import HELSINKI
from models.booking.schedule import BookingRequest, book
from models.business.catalogue import Service, StaffMember
from models.people.customers import CustomerDetails
from models.people.notes import CustomerNote
from models.privacy.data_requests import DataRequest

pytestmark = [pytest.mark.browser, pytest.mark.server]

SMALL_PHONE = {"width": 360, "height": 740}
EMAIL = "liisa@example.com"
NOTE = "Pitää napakasta otteesta"
SECRET_NOTE = "Vain henkilökunnalle"


def fi(message, **values):
    return translated("fi", message, **values)


@pytest.fixture
def customer(app, shop):
    """Liisa, with a booking two weeks ahead and two notes, one of them confidential."""
    start = datetime.combine(next_weekday(1), time(10), HELSINKI)
    with models.db.connection_context():
        booking = book(BookingRequest(
            service=Service.get_by_id(2), staff=StaffMember.get_by_id(1), start=start,
            details=CustomerDetails("Liisa Laine", EMAIL, "+358407654321"),
            message="Niska jumissa", language="fi", submission_key="liisa-browser",
            token="t" * 43))
        CustomerNote.create(customer=booking.customer, text=NOTE)
        CustomerNote.create(customer=booking.customer, text=SECRET_NOTE, confidential=True)
    return booking


def link_from_mail(app, mail_server):
    """Send what is due, and the path of the link in the e-mail that arrived."""
    with app.app_context(), models.db.connection_context():
        worker.send_due()
    texts = [message.get_body(("plain",)).get_content() for message in mail_server.to(EMAIL)]
    [link] = [found.group(1) for text in texts
              if (found := re.search(r"https?://[^/\s]+(/my-data/[A-Za-z0-9_-]{40,})", text))]
    return link


def ask_for_the_link(page: Page):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name=fi("My data")).click()
    expect(page).to_have_url(re.compile(r"/my-data$"))
    page_ready(page)
    page.get_by_label(re.compile(rf"^{re.escape(fi('E-mail'))}( \*)?$")).fill(EMAIL)
    page.get_by_role("button", name=fi("Send me the link")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Check your e-mail"))


def no_horizontal_scroll(page: Page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_customer_sees_downloads_and_corrects_their_data(open_page, server, app, customer,
                                                         mail_server, javascript, tmp_path):
    page = open_page(javascript=javascript)
    requested, refused = only_own_origin(page, server)
    found = []

    def check(name):  # axe runs in the page's JavaScript: with it on
        if javascript:
            found.extend(violations(page, name))

    page.goto("/my-data")
    check("the form")
    ask_for_the_link(page)
    check("link asked")

    link = link_from_mail(app, mail_server)
    page.goto(link)
    check("the link's page")
    page.get_by_role("button", name=fi("Show my data")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Your data"))
    main = page.get_by_role("main")
    expect(main).to_contain_text(customer.display_reference)
    expect(main).to_contain_text(NOTE)
    expect(main).not_to_contain_text(SECRET_NOTE)
    check("the data")

    with page.expect_download() as download:
        page.get_by_role("link", name=fi("Download as a file (JSON)")).click()
    saved = tmp_path / "my-data.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["sections"]["contact"]["items"][0]["email"] == EMAIL

    page.get_by_text(fi("Correct your data"), exact=True).click()
    page.get_by_label(re.compile(rf"^{re.escape(fi('What is wrong'))}")).fill("Puhelinnumero")
    page.get_by_label(re.compile(rf"^{re.escape(fi('What it should be'))}")).fill(
        "050 111 2222")
    page.get_by_role("button", name=fi("Send the request")).click()
    expect(page.get_by_role("status").filter(
        has_text=fi("Your request has reached us: %(kind)s. A confirmation is on its way to "
                    "your e-mail, and we answer within a month.",
                    kind=fi("Correct your data")))).to_be_visible()
    check("request sent")
    with models.db.connection_context():
        [request] = DataRequest.select()
    assert request.kind == "correction" and "050 111 2222" in request.details

    assert refused == [], f"requests to other hosts: {refused}"
    assert requested
    assert found == [], "\n".join(found)


def test_keyboard_alone_reaches_the_data_and_it_fits_360_px(open_page, server, app, customer,
                                                            mail_server):
    page = open_page(javascript=True, viewport=SMALL_PHONE)
    page.goto("/my-data")
    page_ready(page)
    assert no_horizontal_scroll(page)
    field = page.get_by_label(re.compile(rf"^{re.escape(fi('E-mail'))}( \*)?$"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if field.evaluate("element => element === document.activeElement"):
            break
    expect(field).to_be_focused()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Check your e-mail"))

    page.goto(link_from_mail(app, mail_server))
    page_ready(page)
    button = page.get_by_role("button", name=fi("Show my data"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Your data"))
    page_ready(page)
    assert no_horizontal_scroll(page)

    summary = page.get_by_text(fi("Restrict the use of your data"), exact=True)
    for _ in range(80):
        page.keyboard.press("Tab")
        if summary.evaluate("element => element === document.activeElement"):
            break
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=fi("Ask for a restriction"))).to_be_visible()
    assert no_horizontal_scroll(page)
