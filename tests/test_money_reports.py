"""The month's sales report, as staff and the owner read it: by payment method and by
VAT rate per day and for the month, the month's receipts, invoices and credit notes, and
what was still open at the month's end."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from money_support import past_booking, seller
from support import translated

import models
from engines.clock import HELSINKI
from models.business.catalogue import Service
from models.money import invoicing
from models.money.counter import make_sale
from models.money.reports import month_sales
from models.money.rows import Line
from models.money.settings import GENERAL, HEALTH_CARE, set_vat_category
from models.people.customers import Customer


def at(day, hour=12):
    return datetime(day.year, day.month, day.day, hour, tzinfo=HELSINKI)


@pytest.fixture
def march(shop, clock):
    """In March 2026: on the 10th a receipt (a massage by card and 3 × 33,33 € of oil)
    and invoice A (physiotherapy, exempt); on the 20th invoice B (a massage) and a credit
    note of A; on the 25th 20,00 € of B paid; on 5 April the rest of B. At 23.30 on
    31 March in Helsinki (21.30 UTC) a cash receipt of 10,00 €, which is March's."""
    with models.db.connection_context():
        seller()
        set_vat_category(Service.get_by_id(1), HEALTH_CARE)
        clock.freeze(at(date(2026, 3, 10)))
        receipt = make_sale(Customer.get_by_id(2), [past_booking(2, 2, hour=9).id], [
            Line("Hierontaöljy", date(2026, 3, 10), 3333, Decimal(3), GENERAL)], "card")
        first = invoicing.create_draft(past_booking(1, 1, hour=10))
        first = invoicing.issue(first.id, date(2026, 3, 24))
        clock.freeze(at(date(2026, 3, 20)))
        second = invoicing.issue(invoicing.create_draft(past_booking(1, 2, hour=10)).id,
                                 date(2026, 4, 3))
        note = invoicing.credit(first.id)
        clock.freeze(at(date(2026, 3, 25)))
        invoicing.record_payment(second.id, 2000, date(2026, 3, 25), "bank_transfer")
        clock.freeze(at(date(2026, 3, 31), 23) + timedelta(minutes=30))
        late = make_sale(None, [], [Line("Lahjakortti", date(2026, 3, 31), 1000,
                                         Decimal(1), GENERAL)], "cash")
        clock.freeze(at(date(2026, 4, 5)))
        invoicing.record_payment(second.id, second.total_cents - 2000, date(2026, 4, 5),
                                 "bank_transfer")
    return receipt, first, second, note, late


def test_the_month_by_method_and_rate_per_day_and_in_all(march):
    receipt, first, second, note, late = march
    with models.db.connection_context():
        report = month_sales(2026, 3)
    assert [line.day for line in report.days] == [
        date(2026, 3, 10), date(2026, 3, 20), date(2026, 3, 25), date(2026, 3, 31)]
    assert report.by_method == {"card": receipt.total_cents, "bank_transfer": 2000,
                                "cash": 1000}
    assert report.days[0].by_method == {"card": receipt.total_cents}
    # The massage and 99,99 € of oil at 25,5 %; physiotherapy (A) exempt, credited later.
    general, exempt = report.days[0].per_rate
    assert (general.rate.percent, general.gross) == (Decimal("25.5"), receipt.total_cents)
    assert exempt.rate.exemption and exempt.gross == first.total_cents
    [credit, invoice_b] = sorted(report.days[1].per_rate, key=lambda total: total.gross)
    assert credit.gross == -first.total_cents and invoice_b.gross == second.total_cents
    month_general, month_exempt = report.per_rate
    assert month_general.gross == receipt.total_cents + second.total_cents + 1000
    assert month_general.net + month_general.vat == month_general.gross
    assert month_exempt.gross == 0
    assert [sale.number for sale in report.receipts] == [receipt.number, late.number]
    assert [each.number for each in report.invoices] == [first.number, second.number]
    assert [each.number for each in report.credit_notes] == [note.number]
    assert [(each.invoice.number, each.open_cents) for each in report.open_at_end] == [
        (second.number, second.total_cents - 2000)]


def test_a_month_later_the_rest_is_paid_and_nothing_is_open(march):
    with models.db.connection_context():
        april = month_sales(2026, 4)
        february = month_sales(2026, 2)
    assert april.by_method == {"bank_transfer": march[2].total_cents - 2000}
    assert april.open_at_end == [] and april.per_rate == []
    assert february.days == [] and february.receipts == []


def test_the_page_shows_the_month_with_links_to_the_months_around(staff_client, march):
    receipt, first, second, note, late = march
    page = staff_client.get("/staff/money/month?month=2026-03")
    assert page.status_code == 200
    text = page.text
    for shown in (receipt.number, late.number, first.number, second.number, note.number,
                  "10.3.2026", "25,5"):
        assert shown in text, shown
    assert 'href="/staff/money/month?month=2026-02"' in text
    assert 'href="/staff/money/month?month=2026-04"' in text
    assert translated("fi", "Open at the end of the month") in text
    january = staff_client.get("/staff/money/month?month=2027-01").text
    assert 'href="/staff/money/month?month=2026-12"' in january


def test_the_sales_page_links_to_the_month(staff_client, march):
    assert 'href="/staff/money/month"' in staff_client.get("/staff/money/").text


def test_a_month_that_is_not_one_is_answered_with_what_was_typed(staff_client, shop):
    answer = staff_client.get("/staff/money/month?month=2026-13")
    assert answer.status_code == 422
    assert translated("fi", "Write the month as year-month, e.g. 2026-11.") in answer.text
    assert 'value="2026-13"' in answer.text


def test_the_owner_is_led_from_the_month_to_the_hand_over(owner_client, staff_client, shop):
    link = 'href="/staff/settings/money/accounting"'
    assert link in owner_client.get("/staff/money/month").text
    assert link not in staff_client.get("/staff/money/month").text
