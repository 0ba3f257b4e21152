"""The words of invoices, credit notes, payment reminders and receipts, and of the
accounting hand-over's CSV header, in the language of the locale in force: call them
inside `flask_babel.force_locale(language)` for a customer's document.

engines/invoice_pdf.py and engines/accounting_csv.py take these already translated, so
that the engines stay free of Flask.
"""

from flask_babel import gettext

from engines.documents import Labels

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
REMINDER = "reminder"
RECEIPT = "receipt"
TITLES = {
    INVOICE: lambda: gettext("INVOICE"),
    CREDIT_NOTE: lambda: gettext("CREDIT NOTE"),
    REMINDER: lambda: gettext("PAYMENT REMINDER"),
    RECEIPT: lambda: gettext("RECEIPT"),
}


def document_labels(kind):
    """The Labels of a document of `kind` (INVOICE, CREDIT_NOTE, REMINDER, RECEIPT)."""
    return Labels(
        title=TITLES[kind](),
        number=gettext("Number"),
        issue_date=gettext("Date"),
        due_date=gettext("Due date"),
        seller=gettext("Seller"),
        buyer=gettext("Buyer"),
        business_id=gettext("Business ID"),
        description=gettext("Service or product"),
        service_date=gettext("Date of service"),
        quantity=gettext("Quantity"),
        unit_price=gettext("Unit price excl. VAT"),
        vat_percent=gettext("VAT %(sign)s", sign="%"),
        vat=gettext("VAT"),
        row_total=gettext("Total"),
        vat_breakdown=gettext("VAT by rate"),
        taxable_amount=gettext("Excl. VAT"),
        total=gettext("Incl. VAT"),
        total_to_pay=gettext("Total to pay"),
        penalty_interest=gettext("Penalty interest"),
        reference=gettext("Reference number"),
        rf_reference=gettext("RF reference"),
        bar_code=gettext("Bank bar code"),
        qr_code=gettext("Pay with your bank app: scan the QR code"),
        payment_method=gettext("Payment method"),
        paid=gettext("Paid"),
        time=gettext("Time"),
        buyer_reference=gettext("Your reference"),
        page=gettext("Page %(page)s / %(pages)s", page="%(page)s", pages="%(pages)s"),
    )


def accounting_csv_header():
    """The names of engines.accounting_csv.COLUMNS, in their order."""
    return (gettext("Date"), gettext("Voucher number"), gettext("Account"),
            gettext("VAT code"), gettext("VAT %(sign)s", sign="%"), gettext("Excl. VAT"),
            gettext("VAT"), gettext("Incl. VAT"), gettext("Reference"),
            gettext("Payment method"))
