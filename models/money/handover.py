"""The vouchers as plain data for what hands them over: the Finvoice writer
(engines/finvoice.py), a PDF writer or the accounting export take these dataclasses,
never a database row."""

from decimal import Decimal

from engines import finvoice
from models.money.vouchers import ISSUED


def _seller(details):
    return finvoice.Seller(
        name=details["name"], business_id=details["business_id"],
        address=finvoice.Address(details["street"], details["postal_code"], details["town"]),
        iban=details["iban"], bic=details["bic"],
        vat_registered=details["vat_registered"])


def _buyer(invoice):
    address = None
    if invoice.buyer_street:
        address = finvoice.Address(invoice.buyer_street, invoice.buyer_postal_code,
                                   invoice.buyer_town)
    return finvoice.Buyer(name=invoice.buyer_name, address=address,
                          business_id=invoice.buyer_business_id or None,
                          language=invoice.language)


def as_finvoice(invoice):
    """An issued invoice or credit note as engines.finvoice.Invoice. The seller has no
    e-invoice address of its own yet, so the message goes as a printable Finvoice (the
    buyer's OVT address stays on the invoice page)."""
    if invoice.status != ISSUED:
        raise ValueError("only an issued invoice is handed over")
    rows = tuple(finvoice.InvoiceRow(row.description, row.unit_gross_cents,
                                     Decimal(row.quantity), row.rate, row.service_date)
                 for row in invoice.lines)
    credits = None
    if invoice.is_credit_note:
        credits = finvoice.CreditedInvoice(invoice.credits.number, invoice.credits.issue_date)
    return finvoice.Invoice(
        number=invoice.number, issue_date=invoice.issue_date, due_date=invoice.due_date,
        seller=_seller(invoice.seller_details), buyer=_buyer(invoice), rows=rows,
        reference=invoice.reference or None,
        penalty_interest_percent=Decimal(invoice.penalty_interest or 0), credits=credits)
