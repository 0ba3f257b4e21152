"""The owner's money settings form, and a service's VAT category."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from models.money.settings import COUNTER_METHODS, VAT_CATEGORIES
from web.forms import Form, LengthLimit, required
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
