"""The money pages' forms: a payment at the counter, a draft invoice's rows and buyer,
issuing, a payment of an invoice. The forms take what was typed; the amounts are read
and the rules checked by models/money, whose refusals come back at their fields."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)

from models.money import Refused
from models.money.amounts import parse_euros, parse_quantity
from models.money.rows import Line
from models.money.settings import INVOICE_METHODS, VAT_CATEGORIES
from web.forms import Form, LengthLimit, required
from web.money import METHOD_NAMES, VAT_CATEGORY_NAMES

LANGUAGE_CHOICES = [SelectChoice("fi", "suomi"), SelectChoice("sv", "svenska"),
                    SelectChoice("en", "English")]


def parse_typed_date(text, field):
    """2026-11-24 (a date input) or 24.11.2026 (typed) as a date. Refused otherwise."""
    text = (text or "").strip()
    found = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", text)
    try:
        if found:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        return date.fromisoformat(text)
    except ValueError as error:
        raise Refused("date_invalid", field) from error


def category_choices():
    return [SelectChoice(key, VAT_CATEGORY_NAMES[key]) for key in VAT_CATEGORIES]


class FreeRowFields:
    """A free row: a product, a gift card, a correction."""

    description = StringField(_l("What is sold"), validators=[LengthLimit(200)])
    price = StringField(_l("Unit price with VAT (euros)"), validators=[LengthLimit(20)])
    quantity = StringField(_l("Quantity"), default="1", validators=[LengthLimit(10)])
    category = SelectField(_l("VAT"), choices=category_choices, default=VAT_CATEGORIES[0],
                           validate_choice=False)

    def has_free_row(self):
        return bool((self.description.data or "").strip() or (self.price.data or "").strip())

    def free_line(self, service_date):
        """The typed row as a Line; Refused at the field that is wrong."""
        if not (self.description.data or "").strip():
            raise Refused("description_missing", "description")
        if self.category.data not in VAT_CATEGORIES:
            raise Refused("vat_category_unknown", "category")
        return Line(self.description.data.strip(), service_date,
                    parse_euros(self.price.data, "price"),
                    parse_quantity(self.quantity.data, "quantity"), self.category.data)


class SaleForm(FreeRowFields, Form):
    bookings = SelectMultipleField(_l("Bookings paid for"), coerce=int, validate_choice=False)
    method = RadioField(_l("Paid by"), validate_choice=False, validators=[
        required(_l("Choose how the customer pays."))])
    email = BooleanField(_l("E-mail the receipt to the customer"))


class FreeRowForm(FreeRowFields, Form):
    pass


class AddBookingForm(Form):
    booking = SelectField(_l("Another booking of the customer"), coerce=int,
                          validate_choice=False)


class BuyerForm(Form):
    name = StringField(_l("Buyer's name"), validators=[
        required(_l("Write the buyer's name.")), LengthLimit(200)])
    street = StringField(_l("Street address"), validators=[LengthLimit(200)])
    postal_code = StringField(_l("Postal code"), validators=[LengthLimit(10)])
    town = StringField(_l("Town"), validators=[LengthLimit(100)])
    email = StringField(_l("E-mail"), validators=[LengthLimit(254)])
    business_id = StringField(_l("Business ID (Y-tunnus), for a business buyer"),
                              validators=[LengthLimit(20)])
    ovt = StringField(_l("E-invoice address (OVT)"), validators=[LengthLimit(35)])
    operator = StringField(_l("E-invoice operator"), validators=[LengthLimit(35)])
    language = SelectField(_l("Language of the invoice"), choices=LANGUAGE_CHOICES,
                           validate_choice=False)


class IssueForm(Form):
    due_date = StringField(_l("Due date"), validators=[
        required(_l("Give the due date.")), LengthLimit(10)])
    email = BooleanField(_l("Send the invoice by e-mail, its PDF attached"))


class ReminderForm(Form):
    due_date = StringField(_l("New due date"), validators=[
        required(_l("Give the new due date.")), LengthLimit(10)])
    charge_fee = BooleanField(_l("Charge the reminder fee"))
    email = BooleanField(_l("Send the reminder by e-mail, its PDF attached"))


def payment_method_choices():
    return [SelectChoice(key, METHOD_NAMES[key]) for key in INVOICE_METHODS]


class PaymentForm(Form):
    amount = StringField(_l("Amount paid (euros)"), validators=[
        required(_l("Write the amount paid.")), LengthLimit(20)])
    paid_on = StringField(_l("Paid on"), validators=[
        required(_l("Give the day of the payment.")), LengthLimit(10)])
    method = SelectField(_l("Paid by"), choices=payment_method_choices,
                         validate_choice=False)


class ButtonForm(Form):
    """A button that changes something: only its CSRF token."""
