"""Receipts and invoices are accounting vouchers: an erasure keeps them until the
Accounting Act's hold ends (and says so before and after), the person sees them in
their own data, and the buyer's details outlive the customer record."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from money_support import past_booking, seller

import models
from engines import clock
from models.money import invoicing
from models.money.counter import make_sale
from models.money.rows import Line
from models.money.vouchers import Invoice, Sale
from models.people.customers import Customer
from models.privacy import erasure
from models.privacy import own_copy as exports
from models.privacy.data_requests import ERASURE, PHONE
from models.privacy.data_requests import receive as receive_request

EMAIL = "matti@asiakas.example"


@pytest.fixture
def buyer(shop, staff_account):
    """Matti with a receipt and an issued invoice, and his erasure request."""
    with models.db.connection_context():
        seller()
        customer = Customer.get(Customer.email == EMAIL)
        line = Line("Lahjakortti", clock.today(), 5000, Decimal(1), "general")
        make_sale(customer, [], [line], "cash")
        invoice = invoicing.create_draft(past_booking(customer.id))
        invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(
            name="Matti Meikäläinen", street="Kotikatu 2", postal_code="00200",
            town="Helsinki"))
        invoicing.issue(invoice.id, clock.today())
        request = receive_request(ERASURE, customer=customer, name=customer.name,
                                  email=EMAIL, source=PHONE, identity_check="Soitti",
                                  language="fi", user=staff_account.id)
    return customer, request


def test_erasure_keeps_receipts_and_invoices_until_the_hold_ends(buyer, staff_client):
    customer, request = buyer
    until = date(clock.today().year + 6, 12, 31)
    with models.db.connection_context():
        plan = erasure.plan(Customer.get_by_id(customer.id), clock.now())
    held = {each.part: each for each in plan.held}
    assert held["receipts"].count == 1 and held["invoices"].count == 1
    assert held["invoices"].last_day == until
    page = staff_client.get(f"/staff/requests/{request.id}/erasure").text
    kept = page[page.index('id="kept-heading"'):page.index('id="confirm-heading"')]
    assert "1 kuitti" in kept and "1 lasku tai hyvityslasku" in kept
    assert "kirjanpitolaki" in kept

    answer = staff_client.post(f"/staff/requests/{request.id}/erasure",
                               data={"csrf_token": staff_client.csrf, "confirmed": "y"})
    assert answer.status_code == 303
    with models.db.connection_context():
        assert not Customer.select().where(Customer.id == customer.id).exists()
        sale, invoice = Sale.get(), Invoice.get()
    assert sale.customer_id is None and sale.buyer_name == "Matti Meikäläinen"
    assert invoice.customer_id is None and invoice.buyer_street == "Kotikatu 2"
    assert invoice.lines[0].booking_id is None  # the booking went, the row stays


def test_after_the_hold_an_erasure_keeps_nothing(buyer):
    customer, _ = buyer
    later = datetime(clock.today().year + 7, 1, 1, 12, tzinfo=UTC)
    with models.db.connection_context():
        plan = erasure.plan(Customer.get_by_id(customer.id), later)
    assert plan.held == []
    assert plan.deleted["receipts"] == 1 and plan.deleted["invoices"] == 1


def test_my_data_shows_the_receipts_and_invoices(buyer):
    customer, _ = buyer
    with models.db.connection_context():
        data = exports.personal_data_of(Customer.get_by_id(customer.id))
    items = data["sections"]["invoicing"]["items"]
    assert {item.get("receipt") or item.get("invoice") for item in items} == {
        f"K{clock.today().year}-00001", f"{clock.today().year}-00001"}
    assert data["sections"]["invoicing"]["legal_basis"] == "legal_obligation"
    assert any(item.get("buyer_street") == "Kotikatu 2" for item in items)
