"""The money side's words, which the staff's and the owner's pages share: payment
methods, VAT categories, invoice states, and the model's refusals by code."""

from flask_babel import lazy_gettext as _l

from models.money import settings

METHOD_NAMES = {
    settings.CASH: _l("Cash"),
    settings.CARD: _l("Payment card"),
    settings.MOBILEPAY: "MobilePay",
    settings.EPASSI: "ePassi",
    settings.SMARTUM: "Smartum",
    settings.EDENRED: "Edenred",
    settings.BANK_TRANSFER: _l("Bank transfer"),
}
VAT_CATEGORY_NAMES = {
    settings.GENERAL: _l("General rate"),
    settings.REDUCED: _l("Reduced rate: sports and fitness services"),
    settings.HEALTH_CARE: _l("Health care, exempt from VAT (AVL 34 §)"),
    settings.NO_VAT: _l("No VAT (zero-rated)"),
}
STATE_NAMES = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "overdue": _l("Overdue"),
    "paid": _l("Paid"),
    "credited": _l("Credited"),
    "credit_note": _l("Credit note"),
}
REFUSED = {
    "amount_invalid": _l("Write an amount in euros, e.g. 45 or 33,33."),
    "amount_negative": _l("An amount cannot be negative."),
    "amount_too_large": _l("That is too much for one invoice or receipt: at most "
                           "999 999,99 €."),
    "amount_not_positive": _l("Write an amount of more than zero."),
    "quantity_invalid": _l("Write a quantity, e.g. 1 or 1,5."),
    "quantity_not_positive": _l("A quantity must be more than zero."),
    "quantity_too_large": _l("At most 9 999."),
    "description_missing": _l("Write what is sold."),
    "method_unknown": _l("Choose one of the payment methods offered."),
    "booking_unknown": _l("This booking is not one of this customer's."),
    "booking_cancelled": _l("A cancelled booking cannot be paid for or invoiced."),
    "booking_not_yet": _l("This booking has not begun yet: it can be paid for once it has."),
    "booking_billed": _l("This booking is already on a receipt or an invoice."),
    "nothing_sold": _l("Choose at least one booking or add a row."),
    "immutable": _l("An issued invoice or a receipt cannot be changed. Put a mistake right "
                    "with a credit note."),
    "invoice_unknown": _l("There is no such invoice."),
    "row_unknown": _l("This row is not on the invoice any more."),
    "buyer_name_missing": _l("Write the buyer's name."),
    "buyer_address_missing": _l("An invoice to a business, or of more than 400 €, needs "
                                "the buyer's address: write the street, postal code and "
                                "town in the buyer's details and save them."),
    "postal_code_invalid": _l("A postal code has five digits, e.g. 00100."),
    "email_invalid": _l("This is not an e-mail address. Check it, e.g. maija@example.fi."),
    "business_id_format": _l("A business ID is seven digits, a dash and a check digit, "
                             "e.g. 2077474-0."),
    "business_id_check_digit": _l("The check digit of this business ID does not match: "
                                  "check the number."),
    "ovt_invalid": _l("An e-invoice address is letters and digits, e.g. 003720774740."),
    "einvoice_address_incomplete": _l("An e-invoice needs both the address and the "
                                      "operator."),
    "language_unknown": _l("Choose one of the languages offered."),
    "due_before_issue": _l("The due date cannot be before the issue date (today)."),
    "date_invalid": _l("Write a date as day.month.year, e.g. 24.11.2026."),
    "no_bank_account": _l("The owner has not given the business's bank account yet: "
                          "invoices cannot be issued before that."),
    "not_creditable": _l("Only an issued invoice with no payments and no credit note can "
                         "be credited."),
    "not_payable": _l("Only an issued invoice can be marked paid."),
    "payment_too_large": _l("That is more than is open on this invoice."),
    "paid_in_future": _l("The payment date cannot be in the future."),
    "iban_invalid": _l("This is not an IBAN: check it, e.g. FI37 1590 3000 0007 76."),
    "bic_invalid": _l("This is not a BIC, e.g. NDEAFIHH."),
    "bic_missing": _l("Give the bank's BIC with the IBAN."),
    "due_days_out_of_range": _l("From 0 to 365 days."),
    "penalty_interest_out_of_range": _l("From 0 to 99,9 per cent."),
    "reminder_fee_too_large": _l("A consumer's payment reminder may cost at most 5,00 €."),
    "methods_none": _l("Keep at least one payment method."),
    "vat_category_unknown": _l("Choose one of the VAT categories offered."),
    "no_email_address": _l("There is no e-mail address to send it to: add one to the "
                           "buyer's or the customer's details first."),
    "not_sendable": _l("Only an issued invoice can be sent."),
    "receipt_unknown": _l("There is no such receipt."),
    "not_overdue": _l("Only an overdue invoice with something open can be reminded of."),
    "reminder_due_not_after_today": _l("The new due date must be after today."),
    "reminder_fee_too_early": _l("No reminder fee may be charged yet: the law allows it "
                                 "only 14 days after the due date (or after the last "
                                 "charged reminder). Send it without the fee."),
    "reminder_fee_limit": _l("The fees of two reminders have been charged already: the "
                             "law allows no more. Send it without the fee."),
    "reminder_fee_none": _l("The owner has set no reminder fee."),
}


def plain_date(day):
    """24.11.2026, as invoices print dates."""
    return f"{day.day}.{day.month}.{day.year}" if day else ""


def refusal(form, error):
    """Put a model's refusal at its field of `form` (or on the form) as the message;
    the form is then shown again, with what was typed."""
    message = str(REFUSED.get(error.code, error.code))
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
    else:
        form.form_errors.append(message)
    return form


def quantity_text(quantity):
    """1,5 for Decimal("1.50")."""
    return format(quantity.normalize(), "f").replace(".", ",")
