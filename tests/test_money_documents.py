"""The money documents as the customer gets them: the invoice, credit note, receipt and
payment reminder as PDF from their pages, by e-mail through a real SMTP server with the
PDF attached, in the document's language; and the payment reminder's rules (when a fee
may be charged, how much, what is then open), answered at the field when they say no."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from money_support import past_booking, seller
from pypdf import PdfReader
from support import post, send, translated

import models
from engines import clock as clock_engine
from engines.reference import format_reference
from models.money import Refused, invoicing, reminders
from models.money.settings import MoneySettings
from models.money.vouchers import Invoice, PaymentReminder, Sale
from models.people.customers import Customer

ADDRESS = "matti@example.com"


def euros(cents):
    text = format_currency(Decimal(cents).scaleb(-2), "EUR", locale="fi_FI")
    return text.replace("\u00a0", " ").replace("\u2212", "-")


def pdf_text(content):
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")


def with_address(language="fi"):
    customer = Customer.get_by_id(1)
    customer.email, customer.language = ADDRESS, language
    customer.save()


@pytest.fixture
def booking(shop):
    with models.db.connection_context():
        seller()
        with_address()
        return past_booking()


def issued_invoice(staff_client, booking, due_days=14, email=False, language="fi"):
    answer = post(staff_client, f"/staff/money/invoice/{booking.id}")
    draft = answer.location
    post(staff_client, draft + "/buyer", {
        "name": "Matti Meikäläinen", "street": "Kotikatu 2", "postal_code": "00200",
        "town": "Helsinki", "email": ADDRESS, "language": language})
    due = clock_engine.today() + timedelta(days=due_days)
    form = {"due_date": due.isoformat()}
    if email:
        form["email"] = "y"
    assert post(staff_client, draft + "/issue", form).status_code == 303
    with models.db.connection_context():
        return Invoice.get(Invoice.status == "issued"), draft


def overdue_invoice(clock, days_overdue):
    """An invoice issued days ago, due `days_overdue` days ago (issued with the clock
    moved back, so that the staff's session today stays fresh)."""
    with models.db.connection_context():
        booking = past_booking(days_ago=days_overdue + 5)
        clock.shift(days=-(days_overdue + 1))
        try:
            draft = invoicing.create_draft(booking)
            invoicing.set_buyer(draft.id, invoicing.BuyerDetails(
                name="Matti Meikäläinen", street="Kotikatu 2", postal_code="00200",
                town="Helsinki", email=ADDRESS))
            invoice = invoicing.issue(draft.id, clock_engine.today() + timedelta(days=1))
        finally:
            clock.reset()
        assert invoice.due_date == clock_engine.today() - timedelta(days=days_overdue)
        return invoice, f"/staff/money/invoices/{invoice.id}"


def pdf_attachments(message):
    return [part for part in message.iter_attachments()
            if part.get_content_type() == "application/pdf"]


# PDF from the pages -------------------------------------------------------------------


def test_the_invoice_page_gives_its_pdf_with_number_total_and_reference(staff_client,
                                                                        booking):
    invoice, page = issued_invoice(staff_client, booking)
    assert f'href="/staff/money/invoices/{invoice.id}/pdf"' in staff_client.get(page).text
    answer = staff_client.get(f"/staff/money/invoices/{invoice.id}/pdf")
    assert answer.status_code == 200 and answer.content_type == "application/pdf"
    assert f"{invoice.number}.pdf" in answer.headers["Content-Disposition"]
    text = pdf_text(answer.data)
    assert "LASKU" in text and invoice.number in text
    assert format_reference(invoice.reference) in text
    assert euros(invoice.total_cents) in text and "kpl" in text


def test_the_invoice_pdf_is_in_the_buyers_language(staff_client, booking):
    invoice, _ = issued_invoice(staff_client, booking, language="sv")
    text = pdf_text(staff_client.get(f"/staff/money/invoices/{invoice.id}/pdf").data)
    assert translated("sv", "INVOICE") in text and "LASKU" not in text
    assert translated("sv", "Total to pay") in text


def test_a_draft_has_no_pdf(staff_client, booking):
    answer = post(staff_client, f"/staff/money/invoice/{booking.id}")
    assert staff_client.get(answer.location + "/pdf").status_code == 404


def test_the_credit_note_pdf_refers_to_the_invoice(staff_client, booking):
    invoice, page = issued_invoice(staff_client, booking)
    note_page = post(staff_client, page + "/credit").location
    with models.db.connection_context():
        note = Invoice.get(Invoice.kind == "credit_note")
    assert note_page.endswith(f"/{note.id}")
    text = pdf_text(staff_client.get(f"/staff/money/invoices/{note.id}/pdf").data)
    assert "HYVITYSLASKU" in text and note.number in text and invoice.number in text
    assert euros(-invoice.total_cents) in text


def take_payment(staff_client, booking, **extra):
    answer = post(staff_client, f"/staff/money/pay/{booking.id}",
                  {"bookings": str(booking.id), "method": "card", "quantity": "1", **extra})
    assert answer.status_code == 303, answer.text
    with models.db.connection_context():
        return Sale.get(), answer.location


def test_the_receipt_pdf_on_a4_and_on_the_80_mm_roll(staff_client, booking):
    sale, page = take_payment(staff_client, booking)
    html = staff_client.get(page).text
    assert f"/staff/money/receipts/{sale.id}/pdf?paper=roll" in html
    for paper, width_mm in (("", 210), ("?paper=roll", 80)):
        answer = staff_client.get(f"/staff/money/receipts/{sale.id}/pdf{paper}")
        assert answer.status_code == 200 and answer.content_type == "application/pdf"
        reader = PdfReader(io.BytesIO(answer.data))
        assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == width_mm
        text = pdf_text(answer.data)
        assert "KUITTI" in text and sale.number in text and euros(sale.total_cents) in text


def test_a_swedish_customers_receipt_is_swedish_throughout_on_the_finnish_page(
        staff_client, shop):
    with models.db.connection_context():
        seller()
        with_address("sv")
        booking = past_booking()
    sale, page = take_payment(staff_client, booking)
    assert sale.language == "sv"
    html = staff_client.get(page).text
    receipt = html[html.index('<article class="receipt"'):html.index("</article>")]
    assert 'lang="sv"' in receipt
    assert translated("sv", "Receipt") in receipt
    assert translated("fi", "Receipt") not in receipt
    assert translated("sv", "VAT per rate") in receipt
    # The staff's own page around it stays Finnish.
    assert translated("fi", "Sales and invoices") in html
    text = pdf_text(staff_client.get(f"/staff/money/receipts/{sale.id}/pdf").data)
    assert translated("sv", "RECEIPT") in text and "KUITTI" not in text


def test_pdfs_are_for_staff_only(client, booking, staff_client):
    invoice, _ = issued_invoice(staff_client, booking)
    staff_client.get("/staff/logout")
    answer = client.get(f"/staff/money/invoices/{invoice.id}/pdf")
    assert answer.status_code in (302, 303, 401, 403)
    assert not answer.data.startswith(b"%PDF")


# E-mail -------------------------------------------------------------------------------


def test_issuing_with_email_sends_the_invoice_with_its_pdf(app, staff_client, booking,
                                                          mail_server):
    invoice, page = issued_invoice(staff_client, booking, email=True)
    assert send(app).sent == 1
    [message] = mail_server.to(ADDRESS)
    assert invoice.number in message["Subject"]
    [pdf] = pdf_attachments(message)
    assert pdf.get_filename() == f"lasku-{invoice.number}.pdf"
    assert invoice.number in pdf_text(pdf.get_content())
    body = message.get_body(("plain",)).get_content()
    assert format_reference(invoice.reference) in body
    shown = staff_client.get(page).text
    assert translated("fi", "Sent to %(address)s") % {"address": ADDRESS} in shown


def test_sending_again_sends_a_second_message(app, staff_client, booking, mail_server):
    invoice, page = issued_invoice(staff_client, booking, email=True)
    assert post(staff_client, page + "/send").status_code == 303
    assert send(app).sent == 2
    assert len(mail_server.to(ADDRESS)) == 2


def test_the_receipt_by_email_when_the_customer_wants_it(app, staff_client, booking,
                                                        mail_server):
    sale, page = take_payment(staff_client, booking, email="y")
    assert send(app).sent == 1
    [message] = mail_server.to(ADDRESS)
    [pdf] = pdf_attachments(message)
    assert sale.number in pdf_text(pdf.get_content())
    assert post(staff_client, page + "/send").status_code == 303
    assert send(app).sent == 1
    assert len(mail_server.to(ADDRESS)) == 2


def test_issuing_with_email_but_no_address_is_refused_at_the_field(staff_client, booking):
    with models.db.connection_context():
        customer = Customer.get_by_id(1)
        customer.email = ""
        customer.save()
    draft = post(staff_client, f"/staff/money/invoice/{booking.id}").location
    answer = post(staff_client, draft + "/issue", {
        "due_date": (clock_engine.today() + timedelta(days=14)).isoformat(), "email": "y"})
    assert answer.status_code == 422
    assert translated("fi", "There is no e-mail address to send it to: add one to the "
                      "buyer's or the customer's details first.") in answer.text
    with models.db.connection_context():
        assert Invoice.get().number is None


# Payment reminders --------------------------------------------------------------------


def test_a_reminder_too_early_for_a_fee_is_refused_at_the_field(staff_client, booking,
                                                               clock):
    invoice, page = overdue_invoice(clock, 2)
    html = staff_client.get(page).text
    assert translated("fi", "Send a payment reminder") in html
    new_due = (clock_engine.today() + timedelta(days=14)).isoformat()
    answer = post(staff_client, page + "/reminders", {"due_date": new_due,
                                                      "charge_fee": "y"})
    assert answer.status_code == 422
    assert translated("fi", "No reminder fee may be charged yet: the law allows it only 14 "
                      "days after the due date (or after the last charged reminder). Send "
                      "it without the fee.") in answer.text
    assert f'value="{new_due}"' in answer.text
    with models.db.connection_context():
        assert PaymentReminder.select().count() == 0
    assert post(staff_client, page + "/reminders", {"due_date": new_due}).status_code == 303
    with models.db.connection_context():
        [reminder] = PaymentReminder.select()
        assert reminder.fee_cents == 0
        assert Invoice.get_by_id(invoice.id).open_cents == invoice.total_cents


def test_a_reminder_with_its_fee_adds_it_to_what_is_open(app, staff_client, booking, clock,
                                                         mail_server):
    invoice, page = overdue_invoice(clock, 15)
    new_due = (clock_engine.today() + timedelta(days=14)).isoformat()
    answer = post(staff_client, page + "/reminders", {"due_date": new_due,
                                                      "charge_fee": "y", "email": "y"})
    assert answer.status_code == 303
    with models.db.connection_context():
        [reminder] = PaymentReminder.select()
        assert reminder.fee_cents == 500
        assert Invoice.get_by_id(invoice.id).open_cents == invoice.total_cents + 500
    listing = staff_client.get("/staff/money/invoices?show=overdue").text
    to_pay = euros(invoice.total_cents + 500)
    assert invoice.number in listing and to_pay in listing.replace("\u00a0", " ")
    text = pdf_text(staff_client.get(f"/staff/money/reminders/{reminder.id}/pdf").data)
    assert "MAKSUMUISTUTUS" in text and f"{invoice.number}/1" in text
    assert to_pay in text and format_reference(invoice.reference) in text
    assert send(app).sent == 1
    [message] = mail_server.to(ADDRESS)
    [pdf] = pdf_attachments(message)
    assert to_pay in pdf_text(pdf.get_content())
    # Paying what is open, fee included, closes the invoice.
    assert post(staff_client, page + "/payments", {
        "amount": to_pay.replace(" €", ""), "paid_on": clock_engine.today().isoformat(),
        "method": "bank_transfer"}).status_code == 303
    with models.db.connection_context():
        assert Invoice.get_by_id(invoice.id).open_cents == 0


def test_the_fee_is_capped_at_five_euros_and_charged_at_most_twice(staff_client, booking,
                                                                   clock):
    invoice, _ = issued_invoice(staff_client, booking, due_days=1)
    with models.db.connection_context():
        settings = MoneySettings.current()
        settings.reminder_fee_cents = 900  # as if set before the cap: the rule caps it
        settings.save()
        clock.shift(days=16)
        first = reminders.remind(invoice.id, clock_engine.today() + timedelta(days=14), True)
        assert first.fee_cents == 500
        with pytest.raises(Refused) as refused:
            reminders.remind(invoice.id, clock_engine.today() + timedelta(days=14), True)
        assert refused.value.code == "reminder_fee_too_early"
        clock.shift(days=14)
        second = reminders.remind(invoice.id, clock_engine.today() + timedelta(days=14), True)
        clock.shift(days=14)
        with pytest.raises(Refused) as refused:
            reminders.remind(invoice.id, clock_engine.today() + timedelta(days=14), True)
        assert refused.value.code == "reminder_fee_limit"
        third = reminders.remind(invoice.id, clock_engine.today() + timedelta(days=14), False)
        assert (second.fee_cents, third.fee_cents, third.position) == (500, 0, 3)
        assert Invoice.get_by_id(invoice.id).open_cents == invoice.total_cents + 1000


def test_an_invoice_not_yet_overdue_cannot_be_reminded_of(staff_client, booking):
    invoice, page = issued_invoice(staff_client, booking, due_days=14)
    assert translated("fi", "Send a payment reminder") not in staff_client.get(page).text
    with models.db.connection_context(), pytest.raises(Refused) as refused:
        reminders.remind(invoice.id, clock_engine.today() + timedelta(days=14), False)
    assert refused.value.code == "not_overdue"


def test_a_reminders_due_date_must_be_after_today(staff_client, booking, clock):
    invoice, page = overdue_invoice(clock, 2)
    answer = post(staff_client, page + "/reminders", {"due_date": "1.1.2020"})
    assert answer.status_code == 422
    assert translated("fi", "The new due date must be after today.") in answer.text
    assert 'value="1.1.2020"' in answer.text
    answer = post(staff_client, page + "/reminders", {"due_date": "31.2.x"})
    assert answer.status_code == 422
    assert translated("fi", "Write a date as day.month.year, e.g. 24.11.2026.") in answer.text


def test_the_demo_has_a_reminder_of_its_overdue_invoice(runner):
    assert "Esittelyyritys on lisätty." in runner.invoke(args=["demo"]).output
    with models.db.connection_context():
        overdue = [each for each in Invoice.select()
                   if each.state(clock_engine.today()) == "overdue"]
        if clock_engine.today().timetuple().tm_yday < 40:
            pytest.skip("early in the year the demo's dates fall together")
        [invoice] = overdue
        [reminder] = invoice.sent_reminders
        assert reminder.fee_cents == 500
        assert invoice.open_cents == invoice.total_cents + 500


def test_a_consumers_small_invoice_without_address_is_the_simplified_one(staff_client,
                                                                         booking):
    draft = post(staff_client, f"/staff/money/invoice/{booking.id}").location
    post(staff_client, draft + "/buyer", {"name": "Matti Meikäläinen", "language": "fi"})
    due = (clock_engine.today() + timedelta(days=14)).isoformat()
    assert post(staff_client, draft + "/issue", {"due_date": due}).status_code == 303
    note = translated("fi", "Simplified invoice (AVL 209 f §)")
    assert note in staff_client.get(draft).text
    assert note in pdf_text(staff_client.get(draft + "/pdf").data)


def test_a_large_invoice_without_address_is_refused_in_the_users_language(staff_client,
                                                                          booking):
    draft = post(staff_client, f"/staff/money/invoice/{booking.id}").location
    post(staff_client, draft + "/buyer", {"name": "Matti Meikäläinen", "language": "fi"})
    post(staff_client, draft + "/rows", {"description": "Lahjakortti", "price": "400",
                                         "quantity": "1", "category": "general"})
    due = (clock_engine.today() + timedelta(days=14)).isoformat()
    answer = post(staff_client, draft + "/issue", {"due_date": due},
                  headers={"Accept-Language": "sv"})
    assert answer.status_code == 422
    assert translated("sv", "An invoice to a business, or of more than 400 €, needs the "
                      "buyer's address: write the street, postal code and town in the "
                      "buyer's details and save them.") in answer.text
    assert f'value="{due}"' in answer.text
    with models.db.connection_context():
        assert Invoice.get().number is None
