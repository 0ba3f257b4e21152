"""Merging two customer records moves the receipts and invoices of the removed one to
the kept one, as the merge preview counts them; what an issued invoice prints (its
buyer) does not change."""

import html
from datetime import timedelta
from decimal import Decimal

from babel.support import Translations
from money_support import past_booking, seller
from support import ROOT, post

import models
from engines import clock
from models.money import invoicing
from models.money.counter import make_sale
from models.money.rows import Line
from models.money.settings import GENERAL
from models.money.vouchers import Invoice, Sale
from models.people.customers import Customer

MATTI = 1


def test_the_merge_preview_counts_the_receipts_and_invoices_and_the_merge_moves_them(
        owner_client):
    with models.db.connection_context():
        seller()
        duplicate = Customer.create(name="Matti M.", email="matti.work@example.fi",
                                    language="fi")
        receipt = make_sale(duplicate, [past_booking(duplicate.id, hour=9).id], [
            Line("Hierontaöljy", clock.today(), 1490, Decimal(1), GENERAL)], "cash")
        invoice = invoicing.issue(
            invoicing.create_draft(past_booking(duplicate.id, days_ago=2)).id,
            clock.today() + timedelta(days=14))
        note = invoicing.credit(invoice.id)
        draft = invoicing.create_draft(past_booking(duplicate.id, days_ago=3))
    preview = html.unescape(
        owner_client.get(f"/staff/customers/{MATTI}/merge/{duplicate.id}").text)
    catalogue = Translations.load(str(ROOT / "translations"), ["fi"])
    kept = {"name": "Matti Meikäläinen"}
    assert catalogue.ngettext("%(num)d receipt moves to %(name)s.",
                              "%(num)d receipts move to %(name)s.", 1) % {
        "num": 1, **kept} in preview
    assert catalogue.ngettext(
        "%(num)d invoice or credit note moves to %(name)s; the buyer printed on it does "
        "not change.", "%(num)d invoices and credit notes move to %(name)s; the buyer "
        "printed on them does not change.", 3) % {"num": 3, **kept} in preview

    answer = post(owner_client, f"/staff/customers/{MATTI}/merge/{duplicate.id}",
                  {"keep": str(MATTI)})
    assert answer.status_code == 303
    with models.db.connection_context():
        assert Customer.get_or_none(Customer.id == duplicate.id) is None
        assert Sale.get_by_id(receipt.id).customer_id == MATTI
        for each in (invoice, note, draft):
            assert Invoice.get_by_id(each.id).customer_id == MATTI
        assert Invoice.get_by_id(invoice.id).buyer_name == "Matti M."
        assert Invoice.get_by_id(invoice.id).number == invoice.number
