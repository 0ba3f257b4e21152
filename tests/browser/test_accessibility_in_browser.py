"""axe-core finds no WCAG 2.1 A/AA problem on the pages of a booking."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from booking_steps import (
    choose_day,
    choose_time,
    confirm,
    expect_confirmation,
    fill_details,
    open_service_from_home,
)
from playwright.sync_api import expect
from support import next_weekday

pytestmark = [pytest.mark.browser, pytest.mark.server]

TUESDAY = 1
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def violations(page, name):
    """axe-core's WCAG 2.1 A/AA violations on the page, one readable line per
    element."""
    found = Axe().run(page, options=WCAG_21_AA).response["violations"]
    return [
        f"{name}: {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}\n"
        f"    {node['failureSummary'].replace(chr(10), chr(10) + '    ')}"
        for violation in found
        for node in violation["nodes"]
    ]


def test_booking_pages_have_no_wcag_violations(open_page):
    day = next_weekday(TUESDAY)
    page = open_page(javascript=True)
    page.goto("/")
    found = violations(page, "home page")

    open_service_from_home(page)
    choose_day(page, day, javascript=True)
    found += violations(page, "times page")

    choose_time(page, day, "11.00")
    found += violations(page, "details form")

    fill_details(page, "", "maija@example", "123")
    confirm(page)
    expect(page.locator('[aria-invalid="true"]')).to_have_count(3)
    found += violations(page, "details form with errors")

    fill_details(page, "Maija Meikäläinen", "maija@example.fi", "040 123 4567")
    confirm(page)
    expect_confirmation(page, day, "11.00", "Maija Meikäläinen")
    found += violations(page, "confirmation page")

    page.goto("/privacy")
    found += violations(page, "privacy statement")

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)
