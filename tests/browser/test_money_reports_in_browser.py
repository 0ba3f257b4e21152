"""The month's sales report and the owner's hand-over page in real Chromium on a 360 px
phone, in Finnish: no WCAG 2.1 A/AA violations, nothing wider than the screen (a wide
table scrolls in its own box), and the hand-over's file downloads by keyboard alone."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from booking_steps import page_ready
from money_support import past_booking, seller
from playwright.sync_api import Page, expect
from support import PASSWORD, translated

import models
from engines import clock
from models.money import invoicing
from models.money.counter import make_sale
from models.money.rows import Line
from models.money.settings import GENERAL
from models.people.customers import Customer

pytestmark = [pytest.mark.browser, pytest.mark.server]

SMALL_PHONE = {"width": 360, "height": 740}
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
OWNER_EMAIL = "olli@hieronta.example"  # tests/conftest.py: owner


def fi(message):
    return translated("fi", message)


@pytest.fixture
def sales(shop):
    """This month: receipts by card and MobilePay, an invoice paid in part, a credit note."""
    with models.db.connection_context():
        seller()
        make_sale(Customer.get_by_id(2), [past_booking(2, 1, hour=9).id], [
            Line("Hierontaöljy", clock.today(), 3333, Decimal(3), GENERAL)], "card")
        make_sale(None, [], [Line("Lahjakortti", clock.today(), 5000, Decimal(1),
                                  GENERAL)], "mobilepay")
        paid = invoicing.issue(invoicing.create_draft(past_booking(hour=11)).id,
                               clock.today() + timedelta(days=14))
        invoicing.record_payment(paid.id, 2000, clock.today(), "bank_transfer")
        credited = invoicing.issue(invoicing.create_draft(past_booking(days_ago=2)).id,
                                   clock.today() + timedelta(days=14))
        invoicing.credit(credited.id)


def problems(page, name):
    page_ready(page)
    found = Axe().run(page, options=WCAG_21_AA).response["violations"]
    lines = [f"{name}: {violation['id']}: {violation['help']} at "
             f"{' '.join(map(str, node['target']))}"
             for violation in found for node in violation["nodes"]]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        lines.append(f"{name}: scrolls sideways, {width} px wide")
    return lines


def log_in(page: Page, email):
    page.goto("/staff/login")
    page.get_by_label(fi("E-mail")).fill(email)
    page.get_by_label(fi("Password")).fill(PASSWORD)
    page.get_by_role("button", name=fi("Log in"), exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/staff/login"))


def test_the_month_and_the_hand_over_fit_a_phone_and_have_no_wcag_violations(
        sales, owner, open_page):
    page = open_page(javascript=True, viewport=SMALL_PHONE)
    log_in(page, OWNER_EMAIL)
    page.goto("/staff/money/")
    page.get_by_role("link", name=fi("Sales of the month")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(fi("Sales of the month"))
    found = problems(page, "the month")
    page.get_by_role("link", name=fi("Month before")).click()
    found += problems(page, "the month before")
    page.get_by_role("link", name=fi("Hand-over to accounting")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Hand-over to accounting"))
    found += problems(page, "the hand-over")
    page.get_by_label(fi("First day")).fill("2026-12-01")
    page.get_by_label(fi("Last day")).fill("2026-11-30")
    page.get_by_role("button", name=fi("Download")).click()
    expect(page.locator('[aria-invalid="true"]')).to_have_count(1)
    found += problems(page, "the hand-over with an error")
    assert not found, "\n".join(found)

    first = clock.today().replace(day=1)
    page.get_by_label(fi("First day")).fill(first.isoformat())
    page.get_by_label(fi("Last day")).fill(clock.today().isoformat())
    page.get_by_label(fi("Format")).select_option("finvoice")
    with page.expect_download() as download:
        page.get_by_role("button", name=fi("Download")).press("Enter")
    assert download.value.suggested_filename == \
        f"finvoice-{first.isoformat()}-{clock.today().isoformat()}.zip"
