"""The money pages as staff and the owner use them: taking a payment from a booking's
page, the receipt, an invoice from draft to issued and paid, a credit note, the owner's
settings; and bad input answered at its field, in the user's language, with 422."""

from datetime import timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from money_support import IBAN, past_booking, seller
from support import post, translated

import models
from engines import clock
from engines.barcode import virtual_bar_code
from engines.reference import format_reference
from models.money.settings import MoneySettings
from models.money.vouchers import Invoice, Sale


@pytest.fixture
def booking(shop):
    with models.db.connection_context():
        seller()
        return past_booking()


def test_the_booking_page_offers_payment_and_invoice(staff_client, booking):
    page = staff_client.get(f"/staff/calendar/booking/{booking.id}").text
    assert f'href="/staff/money/pay/{booking.id}"' in page
    assert f'action="/staff/money/invoice/{booking.id}"' in page


def test_the_customers_page_and_the_pay_form_lead_to_payment_or_an_invoice(staff_client,
                                                                           booking):
    customer = staff_client.get(f"/staff/customers/{booking.customer_id}").text
    assert f'href="/staff/money/pay/{booking.id}"' in customer
    pay = staff_client.get(f"/staff/money/pay/{booking.id}").text
    assert f'action="/staff/money/invoice/{booking.id}"' in pay
    answer = post(staff_client, f"/staff/money/invoice/{booking.id}")
    assert answer.status_code == 303
    draft = staff_client.get(answer.headers["Location"]).text
    assert "Klassinen hieronta" in draft


def test_taking_payment_gives_a_receipt_with_what_the_law_asks(staff_client, booking):
    page = staff_client.get(f"/staff/money/pay/{booking.id}")
    assert page.status_code == 200 and "MobilePay" in page.text
    answer = post(staff_client, f"/staff/money/pay/{booking.id}",
                  {"bookings": str(booking.id), "method": "mobilepay", "quantity": "1"})
    assert answer.status_code == 303
    receipt = staff_client.get(answer.location).text
    year = clock.today().year
    assert f"K{year}-00001" in receipt
    for shown in ("Kauppakatu 1", "2077474-0", "MobilePay", "25,5 %", "Klassinen hieronta"):
        assert shown in receipt, shown
    roll = staff_client.get(answer.location + "?paper=roll").text
    assert 'class="staff paper-roll"' in roll


def test_a_payment_with_no_method_is_refused_with_what_was_typed_kept(staff_client, booking):
    answer = post(staff_client, f"/staff/money/pay/{booking.id}",
                  {"bookings": str(booking.id), "description": "Öljy", "price": "-5",
                   "quantity": "1"})
    assert answer.status_code == 422
    assert translated("fi", "Choose how the customer pays.") in answer.text
    answer = post(staff_client, f"/staff/money/pay/{booking.id}",
                  {"bookings": str(booking.id), "description": "Öljy", "price": "-5",
                   "quantity": "1", "method": "cash"})
    assert answer.status_code == 422
    assert translated("fi", "An amount cannot be negative.") in answer.text
    assert 'value="Öljy"' in answer.text and 'value="-5"' in answer.text
    with models.db.connection_context():
        assert Sale.select().count() == 0


def test_a_row_of_ten_million_euros_is_refused(staff_client, booking):
    answer = post(staff_client, f"/staff/money/pay/{booking.id}",
                  {"description": "Lahjakortti", "price": "10 000 000", "quantity": "1",
                   "method": "cash"})
    assert answer.status_code == 422
    assert translated("fi", "That is too much for one invoice or receipt: at most "
                      "999 999,99 €.") in answer.text


def make_draft(staff_client, booking):
    answer = post(staff_client, f"/staff/money/invoice/{booking.id}")
    assert answer.status_code == 303
    return answer.location


def test_an_invoice_from_draft_to_issued_and_paid(staff_client, booking):
    draft = make_draft(staff_client, booking)
    page = staff_client.get(draft).text
    assert "Matti Meikäläinen" in page
    assert post(staff_client, draft + "/rows", {"description": "Hierontaöljy",
                                                "price": "33,33", "quantity": "3",
                                                "category": "general"}).status_code == 303
    assert post(staff_client, draft + "/buyer", {
        "name": "Matti Meikäläinen", "street": "Kotikatu 2", "postal_code": "00200",
        "town": "Helsinki", "language": "fi"}).status_code == 303
    due = clock.today() + timedelta(days=14)
    assert post(staff_client, draft + "/issue",
                {"due_date": due.isoformat()}).status_code == 303
    with models.db.connection_context():
        invoice = Invoice.get(Invoice.status == "issued")
    page = staff_client.get(draft).text
    for shown in (invoice.number, format_reference(invoice.reference), "RF", IBAN, "NDEAFIHH",
                  "Kotikatu 2", "99,99", "20,32", "<svg",
                  virtual_bar_code(IBAN, invoice.total_cents, invoice.reference, due)):
        assert shown in page, shown
    answer = post(staff_client, draft + "/payments", {"amount": "10,00",
                                                      "paid_on": clock.today().isoformat(),
                                                      "method": "bank_transfer"})
    assert answer.status_code == 303
    listing = staff_client.get("/staff/money/invoices").text
    assert invoice.number in listing
    rest = invoice.total_cents - 1000
    post(staff_client, draft + "/payments", {"amount": f"{rest // 100},{rest % 100:02d}",
                                             "paid_on": clock.today().isoformat(),
                                             "method": "cash"})
    assert invoice.number not in staff_client.get("/staff/money/invoices").text


def test_bad_buyer_and_due_date_are_answered_at_their_fields(staff_client, booking):
    draft = make_draft(staff_client, booking)
    answer = post(staff_client, draft + "/buyer", {"name": "Yritys Oy",
                                                   "business_id": "2077474-1",
                                                   "language": "fi"})
    assert answer.status_code == 422
    assert translated("fi", "The check digit of this business ID does not match: check "
                      "the number.") in answer.text
    assert 'value="2077474-1"' in answer.text
    answer = post(staff_client, draft + "/rows", {"description": "Korjaus", "price": "5",
                                                  "quantity": "-1", "category": "general"})
    assert answer.status_code == 422
    assert translated("fi", "A quantity must be more than zero.") in answer.text
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    answer = post(staff_client, draft + "/issue", {"due_date": yesterday})
    assert answer.status_code == 422
    assert translated("fi", "The due date cannot be before the issue date (today).") in (
        answer.text)
    assert f'value="{yesterday}"' in answer.text
    with models.db.connection_context():
        assert Invoice.get().number is None


def test_an_issued_invoice_refuses_a_new_row(staff_client, booking):
    draft = make_draft(staff_client, booking)
    post(staff_client, draft + "/issue", {"due_date": clock.today().isoformat()})
    answer = post(staff_client, draft + "/rows", {"description": "Lisä", "price": "5",
                                                  "quantity": "1", "category": "general"})
    assert answer.status_code == 422
    assert translated("fi", "An issued invoice or a receipt cannot be changed. Put a "
                      "mistake right with a credit note.") in answer.text


def test_a_credit_note_refers_to_the_invoice(staff_client, booking):
    draft = make_draft(staff_client, booking)
    post(staff_client, draft + "/issue", {"due_date": clock.today().isoformat()})
    answer = post(staff_client, draft + "/credit")
    assert answer.status_code == 303
    note = staff_client.get(answer.location).text
    with models.db.connection_context():
        original = Invoice.get(Invoice.kind == "invoice")
    assert translated("fi", "Credit note") in note and original.number in note
    credited = format_currency(Decimal(-booking.price_cents).scaleb(-2), "EUR", locale="fi_FI")
    assert credited in note


BACK_OFFICE_LANGUAGE = "fi"


def test_the_owner_sets_the_bank_account_and_a_wrong_iban_is_refused(owner_client, booking):
    page = owner_client.get("/staff/settings/money/")
    assert page.status_code == 200
    answer = post(owner_client, "/staff/settings/money/", {
        "iban": "FI37 1590 3000 0007 77", "bic": "NDEAFIHH", "due_days": "14",
        "penalty_interest": "9,5", "reminder_fee": "5", "vat_registered": "y",
        "methods": ["cash", "card"]})
    assert answer.status_code == 422
    assert translated("fi", "This is not an IBAN: check it, e.g. FI37 1590 3000 0007 76.") \
        in answer.text
    assert 'value="FI37 1590 3000 0007 77"' in answer.text
    answer = post(owner_client, "/staff/settings/money/", {
        "iban": "FI21 1234 5600 0007 85", "bic": "NDEAFIHH", "due_days": "21",
        "penalty_interest": "9,5", "reminder_fee": "5", "methods": ["cash", "card"]})
    assert answer.status_code == 303
    with models.db.connection_context():
        settings = MoneySettings.current()
    assert (settings.iban, settings.due_days, settings.vat_registered) == (
        "FI2112345600000785", 21, False)
    assert settings.counter_methods == ["cash", "card"]


def test_the_owner_sets_a_service_as_health_care(owner_client, booking):
    answer = post(owner_client, "/staff/settings/money/services/2/vat",
                  {"s2-category": "health_care"})
    assert answer.status_code == 303
    with models.db.connection_context():
        from models.business.catalogue import Service
        from models.money.settings import vat_category
        assert vat_category(Service.get_by_id(2)) == "health_care"


def test_staff_cannot_open_the_money_settings(staff_client, booking):
    assert staff_client.get("/staff/settings/money/").status_code == 403


def test_the_pay_form_of_a_booking_already_paid_leads_to_its_receipt(staff_client, booking):
    post(staff_client, f"/staff/money/pay/{booking.id}", {"bookings": booking.id,
                                                          "method": "cash"})
    with models.db.connection_context():
        sale = Sale.get()
    page = staff_client.get(f"/staff/money/pay/{booking.id}").text
    assert f'href="/staff/money/receipts/{sale.id}"' in page
    assert translated("fi", "This booking is on receipt %(number)s: open it",
                      number=sale.number) in page
