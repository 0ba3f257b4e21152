"""The money pages of the back office: taking a payment at the counter and its receipt,
invoices from draft to issued, their payments and credit notes, the open and overdue
invoices, and the day's sales."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from stdnum import iban as stdnum_iban
from wtforms import SelectChoice

from engines.barcode import bar_code_svg, virtual_bar_code
from engines.clock import today
from engines.epc_qr import EpcPayment, epc_qr_svg
from engines.invoice_pdf import A4, ROLL_80_MM
from engines.reference import format_reference, format_rf_reference, rf_reference
from models.booking.bookings import Booking
from models.money import Refused, invoicing, mailing, reminders
from models.money.amounts import parse_euros
from models.money.billing import billable_bookings, billed_on
from models.money.counter import make_sale
from models.money.reports import day_sales
from models.money.settings import MoneySettings
from models.money.vouchers import Invoice, PaymentReminder, Sale
from views.staff.money_forms import (
    AddBookingForm,
    ButtonForm,
    BuyerForm,
    FreeRowForm,
    IssueForm,
    PaymentForm,
    ReminderForm,
    SaleForm,
    parse_typed_date,
)
from web.access import audit, staff_only
from web.downloads import attachment
from web.formatting import clock_text, date_text, language, money_text
from web.money import (
    METHOD_NAMES,
    REFUSED,
    STATE_NAMES,
    VAT_CATEGORY_NAMES,
    plain_date,
    quantity_text,
    refusal,
)
from web.money_documents import PDF, invoice_file, receipt_file, reminder_file
from web.rendering import redirect_after_post, render

blueprint = staff_only(Blueprint("money", __name__, url_prefix="/staff/money"))


@blueprint.context_processor
def money_words():
    return {"method_names": METHOD_NAMES, "state_names": STATE_NAMES,
            "vat_category_names": VAT_CATEGORY_NAMES, "today": today()}


@blueprint.app_template_filter("plain_date")
def plain_date_filter(day):
    return plain_date(day)


@blueprint.app_template_filter("quantity")
def quantity_filter(quantity):
    return quantity_text(quantity)


def _booking_or_404(booking_id):
    return Booking.get_or_none(Booking.id == booking_id) or abort(404)


def _invoice_or_404(invoice_id):
    return Invoice.get_or_none(Invoice.id == invoice_id) or abort(404)


@blueprint.get("/")
def index():
    return render("money/index.html", drafts=invoicing.drafts(),
                  open_invoices=invoicing.open_invoices(), sales=day_sales(today()))


# At the counter ------------------------------------------------------------------------


@blueprint.route("/pay/<int:booking_id>", methods=["GET", "POST"])
def pay(booking_id):
    booking = _booking_or_404(booking_id)
    form = SaleForm(data={"bookings": [booking.id]} if request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            free = [form.free_line(today())] if form.has_free_row() else []
            sale = make_sale(booking.customer, form.bookings.data or [], free,
                             form.method.data, user=current_user.id,
                             email=bool(form.email.data))
        except Refused as error:
            refusal(form, error)
        else:
            audit("money.sale", details=f"receipt {sale.number}")
            return redirect_after_post(url_for(".receipt", sale_id=sale.id))
    return pay_page(booking, form, 422 if request.method == "POST" else 200)


def pay_page(booking, form, status):
    choices, billed = billable_bookings(booking.customer), billed_on(booking)
    return render("money/pay.html", status=status, booking=booking, form=form,
                  choices=choices, methods=MoneySettings.current().counter_methods,
                  billed=billed, billed_invoice=isinstance(billed, Invoice))


def _sale_or_404(sale_id):
    return Sale.get_or_none(Sale.id == sale_id) or abort(404)


@blueprint.get("/receipts/<int:sale_id>")
def receipt(sale_id):
    return receipt_page(_sale_or_404(sale_id))


def receipt_page(sale, status=200, notice=None):
    paper = "roll" if request.args.get("paper") == "roll" else "a4"
    return render("money/receipt.html", status=status, sale=sale, paper=paper,
                  document=receipt_document(sale), mail=mailing.receipt_mail(sale),
                  notice=notice)


def receipt_document(sale):
    """The receipt as the customer gets it, all in the receipt's language (the staff's
    page around it stays in theirs)."""
    with force_locale(sale.language):
        return render_template("money/receipt_document.html", sale=sale,
                               seller=sale.seller_details)


@blueprint.post("/receipts/<int:sale_id>/send")
def send_receipt(sale_id):
    sale = _sale_or_404(sale_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        mailing.send_receipt(sale.id)
    except Refused as error:
        return receipt_page(sale, 422, notice=refusal_text(error))
    audit("money.mail", details=f"receipt {sale.number} e-mailed")
    return redirect_after_post(url_for(".receipt", sale_id=sale.id))


def pdf_download(name_and_bytes):
    name, content = name_and_bytes
    return attachment(Response(content, content_type=PDF), name)


@blueprint.get("/receipts/<int:sale_id>/pdf")
def receipt_pdf(sale_id):
    paper = ROLL_80_MM if request.args.get("paper") == "roll" else A4
    return pdf_download(receipt_file(_sale_or_404(sale_id), paper))


# Invoices ------------------------------------------------------------------------------


@blueprint.get("/invoices")
def invoices():
    overdue = request.args.get("show") == "overdue"
    return render("money/invoices.html", overdue=overdue,
                  invoices=invoicing.open_invoices(overdue_only=overdue))


@blueprint.post("/invoice/<int:booking_id>")
def new_invoice(booking_id):
    booking = _booking_or_404(booking_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        invoice = invoicing.create_draft(booking, user=current_user.id)
    except Refused as error:
        form = SaleForm(formdata=None, data={"bookings": [booking.id]})
        form.form_errors.append(str(refusal_text(error)))
        return pay_page(booking, form, 422)
    return redirect_after_post(url_for(".invoice", invoice_id=invoice.id))


def refusal_text(error):
    return REFUSED.get(error.code, error.code)


@blueprint.get("/invoices/<int:invoice_id>")
def invoice(invoice_id):
    return invoice_page(_invoice_or_404(invoice_id))


def invoice_page(invoice, status=200, **forms):
    if invoice.is_draft:
        return draft_page(invoice, status, **forms)
    payment_form = forms.get("payment_form") or PaymentForm(
        formdata=None, data={"amount": euros_text(invoice.open_cents),
                             "paid_on": plain_date(today()), "method": "bank_transfer"})
    reminder_form = forms.get("reminder_form") or ReminderForm(formdata=None, data={
        "due_date": plain_date(reminders.default_due_date()),
        "charge_fee": bool(reminders.fee_rule(invoice).fee_cents)
        if reminders.can_remind(invoice) else False,
        "email": bool(invoice.buyer_email)})
    return render("money/invoice.html", status=status, invoice=invoice,
                  document=invoice_document(invoice), payment_form=payment_form,
                  reminder_form=reminder_form, can_remind=reminders.can_remind(invoice),
                  fee_rule=reminders.fee_rule(invoice) if reminders.can_remind(invoice)
                  else None,
                  sent_reminders=[(each, mailing.reminder_mail(each))
                                  for each in invoice.sent_reminders],
                  mail=mailing.invoice_mail(invoice), notice=forms.get("notice"))


def euros_text(cents):
    return f"{cents // 100},{cents % 100:02d}"


def draft_page(invoice, status=200, **forms):
    customer = invoice.customer
    buyer = {"name": invoice.buyer_name, "street": invoice.buyer_street,
             "postal_code": invoice.buyer_postal_code, "town": invoice.buyer_town,
             "email": invoice.buyer_email, "business_id": invoice.buyer_business_id,
             "ovt": invoice.buyer_ovt, "operator": invoice.buyer_operator,
             "language": invoice.language}
    forms = {
        "buyer_form": BuyerForm(formdata=None, data=buyer),
        "row_form": FreeRowForm(formdata=None),
        "booking_form": AddBookingForm(formdata=None),
        "issue_form": IssueForm(formdata=None, data={
            "due_date": plain_date(invoicing.default_due_date()),
            "email": bool(invoice.buyer_email)}),
        **forms,
    }
    others = billable_bookings(customer) if customer else []
    return render("money/draft.html", status=status, invoice=invoice, others=others,
                  booking_choices=[SelectChoice(each.id, booking_label(each)) for each in others],
                  can_invoice=MoneySettings.current().can_invoice, **forms)


def booking_label(booking):
    return (f"{date_text(booking.start.date())} {clock_text(booking.start)} · "
            f"{booking.service.name(language())} · {money_text(booking.price_cents)}")


def _draft_change(invoice, change, form_name=None, form=None):
    """Make `change`; a refusal shows the draft again with the form as typed."""
    try:
        change()
    except Refused as error:
        current = _invoice_or_404(invoice.id)
        if form is not None and current.is_draft:
            return invoice_page(current, 422, **{form_name: refusal(form, error)})
        return invoice_page(current, 422, notice=refusal_text(error))
    return redirect_after_post(url_for(".invoice", invoice_id=invoice.id))


@blueprint.post("/invoices/<int:invoice_id>/bookings")
def add_booking(invoice_id):
    invoice, form = _invoice_or_404(invoice_id), AddBookingForm()
    if not form.validate_on_submit():
        return invoice_page(invoice, 422, booking_form=form)
    return _draft_change(invoice, lambda: invoicing.add_booking(invoice.id, form.booking.data),
                         "booking_form", form)


@blueprint.post("/invoices/<int:invoice_id>/rows")
def add_row(invoice_id):
    invoice, form = _invoice_or_404(invoice_id), FreeRowForm()
    if not form.validate_on_submit():
        return invoice_page(invoice, 422, row_form=form)
    return _draft_change(invoice, lambda: invoicing.add_free_row(
        invoice.id, form.free_line(today())), "row_form", form)


@blueprint.post("/invoices/<int:invoice_id>/rows/<int:row_id>/remove")
def remove_row(invoice_id, row_id):
    invoice = _invoice_or_404(invoice_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _draft_change(invoice, lambda: invoicing.remove_row(invoice.id, row_id))


@blueprint.post("/invoices/<int:invoice_id>/buyer")
def buyer(invoice_id):
    invoice, form = _invoice_or_404(invoice_id), BuyerForm()
    if not form.validate_on_submit():
        return invoice_page(invoice, 422, buyer_form=form)
    details = invoicing.BuyerDetails(**{name: (form[name].data or "").strip() for name in (
        "name", "street", "postal_code", "town", "email", "business_id", "ovt", "operator",
        "language")})
    return _draft_change(invoice, lambda: invoicing.set_buyer(invoice.id, details),
                         "buyer_form", form)


@blueprint.post("/invoices/<int:invoice_id>/issue")
def issue(invoice_id):
    invoice, form = _invoice_or_404(invoice_id), IssueForm()
    if not form.validate_on_submit():
        return invoice_page(invoice, 422, issue_form=form)

    def issue_it():
        issued = invoicing.issue(invoice.id, parse_typed_date(form.due_date.data, "due_date"),
                                 user=current_user.id, email=bool(form.email.data))
        audit("money.invoice", details=f"invoice {issued.number} issued")

    return _draft_change(invoice, issue_it, "issue_form", form)


@blueprint.post("/invoices/<int:invoice_id>/payments")
def payment(invoice_id):
    invoice, form = _invoice_or_404(invoice_id), PaymentForm()
    if form.validate_on_submit():
        try:
            invoicing.record_payment(invoice.id, parse_euros(form.amount.data, "amount"),
                                     parse_typed_date(form.paid_on.data, "paid_on"),
                                     form.method.data, user=current_user.id)
        except Refused as error:
            refusal(form, error)
        else:
            audit("money.payment", details=f"invoice {invoice.number}: "
                  f"{money_text(parse_euros(form.amount.data))}")
            return redirect_after_post(url_for(".invoice", invoice_id=invoice.id))
    return invoice_page(invoice, 422, payment_form=form)


@blueprint.post("/invoices/<int:invoice_id>/credit")
def credit(invoice_id):
    invoice = _invoice_or_404(invoice_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        note = invoicing.credit(invoice.id, user=current_user.id)
    except Refused as error:
        return invoice_page(invoice, 422, notice=refusal_text(error))
    audit("money.credit", details=f"credit note {note.number} of invoice {invoice.number}")
    return redirect_after_post(url_for(".invoice", invoice_id=note.id))


@blueprint.post("/invoices/<int:invoice_id>/send")
def send_invoice(invoice_id):
    invoice = _invoice_or_404(invoice_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        mailing.send_invoice(invoice.id)
    except Refused as error:
        return invoice_page(invoice, 422, notice=refusal_text(error))
    audit("money.mail", details=f"invoice {invoice.number} e-mailed")
    return redirect_after_post(url_for(".invoice", invoice_id=invoice.id))


@blueprint.get("/invoices/<int:invoice_id>/pdf")
def invoice_pdf(invoice_id):
    invoice = _invoice_or_404(invoice_id)
    if invoice.is_draft:
        abort(404)
    return pdf_download(invoice_file(invoice))


@blueprint.post("/invoices/<int:invoice_id>/reminders")
def remind(invoice_id):
    invoice, form = _invoice_or_404(invoice_id), ReminderForm()
    if form.validate_on_submit():
        try:
            reminder = reminders.remind(
                invoice.id, parse_typed_date(form.due_date.data, "due_date"),
                bool(form.charge_fee.data), email=bool(form.email.data),
                user=current_user.id)
        except Refused as error:
            refusal(form, error)
        else:
            audit("money.reminder", details=f"reminder {reminder.number}")
            return redirect_after_post(url_for(".invoice", invoice_id=invoice.id))
    return invoice_page(_invoice_or_404(invoice.id), 422, reminder_form=form)


@blueprint.get("/reminders/<int:reminder_id>/pdf")
def reminder_pdf(reminder_id):
    reminder = PaymentReminder.get_or_none(PaymentReminder.id == reminder_id) or abort(404)
    return pdf_download(reminder_file(reminder))


# The invoice as the buyer gets it ------------------------------------------------------


def payment_codes(invoice, seller):
    """The reference in both forms, the virtual bar code and the EPC QR code, for an
    invoice with something to pay into a Finnish account; None otherwise."""
    if invoice.is_credit_note or not invoice.reference or not invoice.total_cents:
        return None
    rf = rf_reference(invoice.reference)
    codes = {"reference": format_reference(invoice.reference),
             "rf": format_rf_reference(rf)}
    try:
        digits = virtual_bar_code(seller["iban"], invoice.total_cents, invoice.reference,
                                  invoice.due_date)
        codes |= {"bar_code": digits, "bar_code_svg": bar_code_svg(digits)}
    except ValueError:
        pass  # an account outside Finland: no Finnish bar code
    codes["qr_svg"] = epc_qr_svg(EpcPayment(
        payee=seller["name"][:70], iban=seller["iban"], amount_cents=invoice.total_cents,
        reference=rf, bic=seller["bic"] or None, due_date=invoice.due_date))
    return codes


def invoice_document(invoice):
    """The issued invoice or credit note in the buyer's language, as HTML: the page
    shows it, and the same markup can be handed to a PDF writer or an e-mail."""
    seller = invoice.seller_details
    with force_locale(invoice.language):
        return render_template("money/invoice_document.html", invoice=invoice, seller=seller,
                               lines=invoice.lines, totals=invoice.totals,
                               codes=payment_codes(invoice, seller),
                               iban=stdnum_iban.format(seller["iban"]) if seller["iban"] else "",
                               vat_category_names=VAT_CATEGORY_NAMES)
