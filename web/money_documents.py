"""The money documents as PDF files: an issued invoice or credit note, a payment
reminder, a receipt (A4 or an 80 mm strip), each in its own language (the buyer's or
the customer's), whoever asks. The pages offer them for download, and worker/messages.py
attaches them to the e-mail; both call these."""

from dataclasses import replace
from decimal import Decimal

from flask_babel import force_locale, gettext

from engines import finvoice, vat
from engines.clock import local
from engines.documents import (
    Party,
    Receipt,
    document_rows,
    invoice_document,
    payment_details,
)
from engines.invoice_pdf import A4, ROLL_80_MM, invoice_pdf, receipt_pdf
from models.money.handover import as_finvoice
from web.document_words import CREDIT_NOTE, INVOICE, RECEIPT, REMINDER, document_labels
from web.formatting import money_text
from web.money import METHOD_NAMES, plain_date

PDF = "application/pdf"


def _contact(seller):
    return tuple(part for part in (seller.get("phone"), seller.get("email")) if part)


def _own_units(document):
    """The rows' unit in the document's language (the hand-over writes "kpl")."""
    unit = gettext("pcs")
    return replace(document, rows=tuple(replace(row, unit=unit) for row in document.rows))


def _seller_notes(seller):
    if seller.get("vat_registered", True):
        return ()
    return (gettext("The seller is not registered for VAT (AVL 3 §)."),)


def _simplified_note(invoice):
    return [gettext("Simplified invoice (AVL 209 f §)")] if invoice.is_simplified else []


def invoice_file(invoice):
    """(file name, PDF bytes) of an issued invoice or credit note."""
    seller = invoice.seller_details
    with force_locale(invoice.language):
        if invoice.is_credit_note:
            labels = document_labels(CREDIT_NOTE)
            refers_to = gettext("Credits invoice %(number)s of %(date)s",
                                number=invoice.credits.number,
                                date=plain_date(invoice.credits.issue_date))
            name = gettext("credit-note")
        else:
            labels, refers_to, name = document_labels(INVOICE), None, gettext("invoice")
        document = invoice_document(as_finvoice(invoice), labels,
                                    seller_contact=_contact(seller), refers_to=refers_to,
                                    notes=(*_simplified_note(invoice),
                                           *_seller_notes(seller)))
        return f"{name}-{invoice.number}.pdf", invoice_pdf(_own_units(document))


def reminder_file(reminder):
    """(file name, PDF bytes) of a payment reminder: the invoice's rows, the reminder's
    fee as a row of its own, and what is to pay now by the new due date."""
    invoice = reminder.invoice
    seller = invoice.seller_details
    with force_locale(invoice.language):
        labels = document_labels(REMINDER)
        handed = as_finvoice(invoice)
        rows = handed.rows
        if reminder.fee_cents:
            rows = (*rows, finvoice.InvoiceRow(
                gettext("Reminder fee"), reminder.fee_cents, Decimal(1),
                vat.rate_on(vat.ZERO_RATED, reminder.sent_on), reminder.sent_on))
        handed = replace(handed, number=reminder.number, issue_date=reminder.sent_on,
                         due_date=reminder.due_date, rows=rows)
        notes = [gettext("The due date of this invoice has passed and it is not paid in "
                         "full. Please pay what is open by the new due date. If you have "
                         "paid it already, thank you: this reminder needs nothing more.")]
        paid = (invoice.total_cents + _earlier_fees(reminder) + reminder.fee_cents
                - reminder.to_pay_cents)
        if paid > 0:
            notes.append(gettext("Paid or credited already: %(amount)s.",
                                 amount=money_text(paid)))
        document = invoice_document(
            handed, labels, seller_contact=_contact(seller),
            refers_to=gettext("Reminder of invoice %(number)s, due on %(date)s",
                              number=invoice.number, date=plain_date(invoice.due_date)),
            notes=(*notes, *_seller_notes(seller)))
        to_pay = reminder.to_pay_cents
        document = replace(document, total_cents=to_pay, payment=payment_details(
            seller["name"], seller["iban"], seller["bic"], invoice.reference, to_pay,
            reminder.due_date) if to_pay > 0 and invoice.reference else None)
        name = gettext("payment-reminder")
        return (f"{name}-{reminder.number.replace('/', '-')}.pdf",
                invoice_pdf(_own_units(document)))


def _earlier_fees(reminder):
    return sum(each.fee_cents for each in reminder.invoice.sent_reminders
               if each.position < reminder.position)


def receipt_file(sale, paper=A4):
    """(file name, PDF bytes) of a receipt, on A4 or (paper=ROLL_80_MM) an 80 mm strip."""
    seller = sale.seller_details
    with force_locale(sale.language):
        rows, totals = document_rows(
            [finvoice.InvoiceRow(row.description, row.unit_gross_cents,
                                 Decimal(row.quantity), row.rate, row.service_date)
             for row in sale.lines], seller.get("vat_registered", True))
        address = tuple(line for line in (
            seller.get("street", ""),
            f"{seller.get('postal_code', '')} {seller.get('town', '')}".strip()) if line)
        receipt = Receipt(
            language=sale.language, labels=document_labels(RECEIPT),
            seller=Party(seller["name"], address, seller.get("business_id") or None,
                         _contact(seller)),
            number=sale.number, paid_at=local(sale.made_at), rows=rows, totals=totals,
            total_cents=sale.total_cents,
            payment_method=str(METHOD_NAMES.get(sale.method, sale.method)),
            buyer=Party(sale.buyer_name) if sale.buyer_name else None,
            notes=_seller_notes(seller))
        receipt = replace(receipt, rows=tuple(replace(row, unit=gettext("pcs"))
                                              for row in receipt.rows))
        suffix = "-80mm" if paper == ROLL_80_MM else ""
        name = gettext("receipt")
        return (f"{name}-{sale.number}{suffix}.pdf",
                receipt_pdf(receipt, paper))


