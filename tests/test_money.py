"""The money rules on their own: exact VAT, receipts and invoices that never change, and
invoice numbers without a gap or a duplicate, however many staff issue at once."""

import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from money_support import BIC, IBAN, past_booking, seller

import models
from engines import clock, vat
from engines.finvoice import finvoice_message
from engines.reference import reference_number
from models.money import Refused, invoicing
from models.money.amounts import parse_euros, parse_quantity
from models.money.counter import make_sale
from models.money.handover import as_finvoice
from models.money.rows import Line
from models.money.settings import (
    GENERAL,
    HEALTH_CARE,
    REDUCED,
    MoneySettings,
    save_settings,
    set_vat_category,
)
from models.money.vouchers import Invoice, InvoiceRow, Sale
from models.people.customers import Customer

ISSUERS = 16


@pytest.fixture
def money(shop):
    with models.db.connection_context():
        seller()
    return shop


def free_line(cents, quantity="1", category=GENERAL, day=None, description="Hierontaöljy"):
    return Line(description, day or clock.today(), cents, Decimal(quantity), category)


def test_three_rows_of_33_33_at_25_5_percent_are_exact_to_the_cent(money):
    with models.db.connection_context():
        customer = Customer.get_by_id(1)
        sale = make_sale(customer, [], [free_line(3333, "3")], "cash")
        [row] = sale.lines
        [total] = sale.totals
    # 3 × 33,33 = 99,99 €; VAT 99,99 × 25,5 / 125,5 = 20,3167… → 20,32 €; net 79,67 €.
    assert (row.gross_cents, row.vat_cents, row.net_cents) == (9999, 2032, 7967)
    assert row.vat_percent == Decimal("25.5")
    assert (total.gross, total.vat, total.net) == (9999, 2032, 7967)
    assert sale.total_cents == 9999


def test_totals_per_rate_add_up_with_the_rows(money):
    with models.db.connection_context():
        set_vat_category(models.business.catalogue.Service.get_by_id(2), HEALTH_CARE)
        booking = past_booking()
        sale = make_sale(Customer.get_by_id(1), [booking.id],
                         [free_line(3333, "3"), free_line(1250, "2", REDUCED)], "card")
        totals = {(each.rate.percent, each.rate.exemption): each for each in sale.totals}
    general = totals[(Decimal("25.5"), None)]
    reduced = totals[(vat.rate_on(REDUCED, clock.today()).percent, None)]
    exempt = totals[(Decimal("0"), vat.HEALTH_CARE_EXEMPTION)]
    assert exempt.vat == 0 and exempt.gross == booking.price_cents
    assert general.gross + reduced.gross + exempt.gross == sale.total_cents
    assert all(each.net + each.vat == each.gross for each in totals.values())


def test_the_rate_is_the_one_in_force_on_the_date_of_service(money):
    with models.db.connection_context():
        sale = make_sale(Customer.get_by_id(1), [], [
            free_line(11400, category=REDUCED, day=date(2025, 12, 31)),
            free_line(11350, category=REDUCED, day=date(2026, 1, 1))], "cash")
        first, second = sale.lines
    assert (first.vat_percent, first.vat_cents) == (Decimal("14.0"), 1400)
    assert (second.vat_percent, second.vat_cents) == (Decimal("13.5"), 1350)


def test_a_business_below_the_vat_threshold_charges_no_vat(money):
    with models.db.connection_context():
        settings = MoneySettings.current()
        settings.vat_registered = False
        settings.save()
        [row] = make_sale(Customer.get_by_id(1), [], [free_line(5000)], "cash").lines
    assert (row.vat_cents, row.vat_exemption) == (0, vat.SMALL_BUSINESS_EXEMPTION)


def test_receipt_numbers_follow_each_other_and_a_receipt_never_changes(money):
    with models.db.connection_context():
        first = make_sale(Customer.get_by_id(1), [], [free_line(1000)], "cash")
        second = make_sale(Customer.get_by_id(2), [], [free_line(2000)], "mobilepay")
        assert second.sequence == first.sequence + 1
        assert first.number == f"K{clock.today().year}-00001"
        first.total_cents = 1
        with pytest.raises(Refused, match="immutable"):
            first.save()
        with pytest.raises(Refused, match="immutable"):
            first.delete_instance()
        with pytest.raises(Refused, match="immutable"):
            first.lines[0].save()
        assert Sale.get_by_id(first.id).total_cents == 1000


def test_a_booking_is_paid_for_once(money):
    with models.db.connection_context():
        booking = past_booking()
        make_sale(Customer.get_by_id(1), [booking.id], [], "cash")
        with pytest.raises(Refused, match="booking_billed"):
            make_sale(Customer.get_by_id(1), [booking.id], [], "cash")
        with pytest.raises(Refused, match="booking_billed"):
            invoicing.create_draft(booking)


def test_a_booking_still_to_come_cannot_be_paid_yet(money):
    with models.db.connection_context():
        booking = past_booking(days_ago=-3)
        with pytest.raises(Refused, match="booking_not_yet"):
            make_sale(Customer.get_by_id(1), [booking.id], [], "cash")


def test_a_method_the_owner_does_not_keep_is_refused(money):
    with models.db.connection_context():
        save_settings(iban=IBAN, bic=BIC, due_days=14, penalty_interest=Decimal("9"),
                      reminder_fee_cents=500, vat_registered=True, methods=["cash", "card"])
        with pytest.raises(Refused, match="method_unknown"):
            make_sale(Customer.get_by_id(1), [], [free_line(1000)], "smartum")


@pytest.mark.parametrize(("typed", "code"), [
    ("-5", "amount_negative"), ("10 000 000", "amount_too_large"), ("12,345", "amount_invalid"),
    ("kymppi", "amount_invalid")])
def test_bad_amounts_are_refused(typed, code):
    with pytest.raises(Refused, match=code):
        parse_euros(typed)


def test_amounts_are_read_exactly():
    assert parse_euros("33,33") == 3333
    assert parse_euros("1 234,5 €") == 123450
    assert parse_quantity("1,5") == Decimal("1.5")
    with pytest.raises(Refused, match="quantity_not_positive"):
        parse_quantity("-1")


def test_bad_settings_are_refused_at_their_field(money):
    with models.db.connection_context(), pytest.raises(Refused) as refused:
        save_settings(iban="FI37 1590 3000 0007 77", bic=BIC, due_days=14,
                      penalty_interest=Decimal("9"), reminder_fee_cents=500,
                      vat_registered=True, methods=["cash"])
    assert (refused.value.code, refused.value.field) == ("iban_invalid", "iban")


# Invoices ----------------------------------------------------------------------------


def draft(hour=10, days_ago=1):
    return invoicing.create_draft(past_booking(days_ago=days_ago, hour=hour))


def test_an_issued_invoice_has_a_number_a_reference_and_never_changes(money):
    with models.db.connection_context():
        invoice = draft()
        assert invoice.number is None
        invoicing.add_free_row(invoice.id, free_line(3333, "3"))
        issued = invoicing.issue(invoice.id, clock.today() + timedelta(days=14))
        year = clock.today().year
        assert issued.number == f"{year}-00001"
        assert issued.reference == reference_number(f"{year}00001")
        assert issued.issue_date == clock.today()
        stored = Invoice.get_by_id(invoice.id)
        assert stored.total_cents == stored.lines[0].gross_cents + 9999
        stored.buyer_name = "Joku muu"
        with pytest.raises(Refused, match="immutable"):
            stored.save()
        with pytest.raises(Refused, match="immutable"):
            stored.lines[0].delete_instance()
        with pytest.raises(Refused, match="immutable"):
            invoicing.add_free_row(invoice.id, free_line(100))
        with pytest.raises(Refused, match="immutable"):
            invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(name="X"))
        assert InvoiceRow.select().where(InvoiceRow.invoice == invoice.id).count() == 2


def test_a_due_date_before_the_issue_date_takes_no_number(money):
    with models.db.connection_context():
        invoice = draft()
        with pytest.raises(Refused, match="due_before_issue"):
            invoicing.issue(invoice.id, clock.today() - timedelta(days=1))
        assert Invoice.get_by_id(invoice.id).number is None
        assert invoicing.issue(invoice.id, clock.today()).sequence == 1


def test_several_bookings_of_one_customer_go_on_one_invoice(money):
    with models.db.connection_context():
        first, second = past_booking(days_ago=2), past_booking(days_ago=1)
        invoice = invoicing.create_draft(first)
        invoicing.add_booking(invoice.id, second.id)
        invoicing.add_free_row(invoice.id, free_line(1290))
        stored = Invoice.get_by_id(invoice.id)
        assert [row.booking_id for row in stored.lines] == [first.id, second.id, None]
        assert stored.total_cents == first.price_cents + second.price_cents + 1290
        with pytest.raises(Refused, match="booking_billed"):
            make_sale(first.customer, [second.id], [], "cash")


def test_a_consumers_invoice_of_at_most_400_euros_may_be_simplified(money):
    # AVL 209 f §: the simplified invoice needs no buyer's address up to 400 €.
    with models.db.connection_context():
        invoice = draft()
        invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(name="Matti Meikäläinen"))
        invoicing.add_free_row(invoice.id, free_line(400_00 - Invoice.get_by_id(
            invoice.id).total_cents))
        issued = invoicing.issue(invoice.id, clock.today() + timedelta(days=14))
        assert issued.total_cents == 400_00
        assert issued.is_simplified and issued.number


def test_over_400_euros_or_to_a_business_the_buyers_address_is_needed(money):
    with models.db.connection_context():
        invoice = draft()
        invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(name="Matti Meikäläinen"))
        invoicing.add_free_row(invoice.id, free_line(400_01))
        with pytest.raises(Refused, match="buyer_address_missing"):
            invoicing.issue(invoice.id, clock.today() + timedelta(days=14))
        assert Invoice.get_by_id(invoice.id).number is None
        business = draft(hour=12)
        invoicing.set_buyer(business.id, invoicing.BuyerDetails(
            name="Yritys Oy", business_id="2077474-0"))
        with pytest.raises(Refused, match="buyer_address_missing"):
            invoicing.issue(business.id, clock.today() + timedelta(days=14))
        invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(
            name="Matti Meikäläinen", street="Esimerkkitie 5", postal_code="00200",
            town="Helsinki"))
        issued = invoicing.issue(invoice.id, clock.today() + timedelta(days=14))
        assert issued.sequence == 1 and not issued.is_simplified


def test_business_buyer_with_a_wrong_check_digit_is_refused(money):
    with models.db.connection_context():
        invoice = draft()
        with pytest.raises(Refused) as refused:
            invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(
                name="Yritys Oy", business_id="2077474-1"))
        assert (refused.value.code, refused.value.field) == (
            "business_id_check_digit", "business_id")
        invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(
            name="Yritys Oy", business_id="2077474-0", ovt="003720774740",
            operator="003723327487"))
        assert Invoice.get_by_id(invoice.id).buyer_business_id == "2077474-0"


def test_partial_payments_then_paid_and_overdue(money):
    with models.db.connection_context():
        invoice = invoicing.issue(draft().id, clock.today() + timedelta(days=14))
        total = invoice.total_cents
        invoicing.record_payment(invoice.id, 1000, clock.today(), "bank_transfer")
        assert Invoice.get_by_id(invoice.id).open_cents == total - 1000
        assert Invoice.get_by_id(invoice.id).state(clock.today()) == "open"
        assert Invoice.get_by_id(invoice.id).state(
            clock.today() + timedelta(days=15)) == "overdue"
        assert [each.id for each in invoicing.open_invoices()] == [invoice.id]
        with pytest.raises(Refused, match="payment_too_large"):
            invoicing.record_payment(invoice.id, total, clock.today(), "bank_transfer")
        invoicing.record_payment(invoice.id, total - 1000, clock.today(), "cash")
        assert Invoice.get_by_id(invoice.id).state(clock.today()) == "paid"
        assert invoicing.open_invoices() == []


def test_a_credit_note_refers_to_the_original_and_takes_the_next_number(money):
    with models.db.connection_context():
        original = invoicing.issue(draft().id, clock.today() + timedelta(days=14))
        note = invoicing.credit(original.id)
        assert note.credits_id == original.id and note.kind == "credit_note"
        assert note.sequence == original.sequence + 1
        assert note.total_cents == original.total_cents
        assert [row.gross_cents for row in note.lines] == [
            row.gross_cents for row in original.lines]
        assert Invoice.get_by_id(original.id).state(clock.today()) == "credited"
        with pytest.raises(Refused, match="not_creditable"):
            invoicing.credit(original.id)
        # The booking of a credited invoice can be invoiced again.
        booking_id = original.lines[0].booking_id
        again = invoicing.create_draft(models.booking.bookings.Booking.get_by_id(booking_id))
        assert again.number is None


def test_sixteen_staff_issuing_at_once_get_sixteen_consecutive_numbers(money):
    with models.db.connection_context():
        drafts = [draft(hour=8 + number % 10, days_ago=1 + number // 10).id
                  for number in range(ISSUERS)]
    barrier = threading.Barrier(ISSUERS)
    numbers, failures = [], []

    def issue(invoice_id):
        barrier.wait()
        try:
            with models.db.connection_context():
                numbers.append(invoicing.issue(invoice_id, clock.today()).sequence)
        except Exception as error:  # kept, so that a failure says what went wrong
            failures.append(repr(error))

    threads = [threading.Thread(target=issue, args=(each,)) for each in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(numbers) == list(range(1, ISSUERS + 1))
    with models.db.connection_context():
        stored = sorted(Invoice.select(Invoice.sequence).where(
            Invoice.sequence.is_null(False)).scalars())
    assert stored == list(range(1, ISSUERS + 1))


@pytest.fixture(scope="module")
def finvoice_schema():
    path = Path(__file__).resolve().parents[2] / "shared" / "finvoice" / "Finvoice3.0.xsd"
    if not path.exists():
        pytest.skip(f"the Finvoice 3.0 schema is not at {path}")
    return etree.XMLSchema(etree.parse(str(path)))


def test_issued_invoices_and_credit_notes_hand_over_as_valid_finvoice(money, finvoice_schema):
    with models.db.connection_context():
        set_vat_category(models.business.catalogue.Service.get_by_id(2), HEALTH_CARE)
        invoice = draft()
        invoicing.add_free_row(invoice.id, free_line(3333, "3"))
        invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(
            name="Yritys Oy", street="Katu 1", postal_code="00100", town="Helsinki",
            business_id="2077474-0"))
        original = invoicing.issue(invoice.id, clock.today() + timedelta(days=14))
        note = invoicing.credit(original.id)
        messages = [etree.fromstring(finvoice_message(as_finvoice(Invoice.get_by_id(each.id))))
                    for each in (original, note)]
    for message in messages:
        finvoice_schema.assertValid(message)
    assert messages[0].findtext(".//EpiRemittanceInfoIdentifier") == original.reference
    assert messages[0].findtext(".//InvoiceNumber") == original.number


def test_the_demo_shows_the_whole_money_side(runner):
    assert "Esittelyyritys on lisätty." in runner.invoke(args=["demo"]).output
    with models.db.connection_context():
        invoices = list(Invoice.select().order_by(Invoice.sequence))
        states = [invoice.state(clock.today()) for invoice in invoices]
        receipts = Sale.select().count()
    assert [invoice.sequence for invoice in invoices] == list(range(1, len(invoices) + 1))
    assert {"paid", "credited", "credit_note", "open"} <= set(states)
    assert "overdue" in states or clock.today().timetuple().tm_yday < 33
    assert receipts == 2
