"""The owner's money settings form, a service's VAT category, and the hand-over's
period."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from models.money.settings import COUNTER_METHODS, VAT_CATEGORIES
from web.forms import Form, LengthLimit, required
from web.handover import FORMAT_NAMES, FORMATS
from web.money import METHOD_NAMES, VAT_CATEGORY_NAMES


class MoneySettingsForm(Form):
    iban = StringField(_l("Bank account (IBAN)"), validators=[LengthLimit(42)])
    bic = StringField(_l("Bank's BIC"), validators=[LengthLimit(11)])
    due_days = StringField(_l("Days to pay an invoice"), validators=[
        required(_l("Give a number.")), LengthLimit(3)])
    penalty_interest = StringField(_l("Penalty interest (per cent a year)"), validators=[
        required(_l("Give a number.")), LengthLimit(5)])
    reminder_fee = StringField(_l("Fee of a payment reminder (euros)"), validators=[
        LengthLimit(10)])
    vat_registered = BooleanField(_l("The business is registered for VAT"))
    methods = SelectMultipleField(
        _l("Payment methods taken at the counter"),
        choices=lambda: [SelectChoice(key, METHOD_NAMES[key]) for key in COUNTER_METHODS],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validate_choice=False)


class ServiceVatForm(Form):
    category = SelectField(_l("VAT"), choices=lambda: [
        SelectChoice(key, VAT_CATEGORY_NAMES[key]) for key in VAT_CATEGORIES],
        validate_choice=False)


class HandoverForm(Form):
    """The period and the format of a hand-over to the accounting program."""

    first = StringField(_l("First day"), validators=[
        required(_l("Give the first day of the period.")), LengthLimit(10)])
    last = StringField(_l("Last day"), validators=[
        required(_l("Give the last day of the period.")), LengthLimit(10)])
    format = SelectField(_l("Format"), choices=lambda: [
        SelectChoice(key, FORMAT_NAMES[key]) for key in FORMATS], validate_choice=False)


def parse_day(text):
    """2026-11-30 (a date input) or 30.11.2026 (typed) as a date; None when it is not one."""
    text = (text or "").strip()
    found = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", text)
    try:
        if found:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None
