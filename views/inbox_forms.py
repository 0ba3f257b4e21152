"""Forms of the staff's inbox of contact requests."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from models.contact_requests import NOTE_MAX

from .booking_forms import LengthLimit, required


class AnswerForm(FlaskForm):
    note = TextAreaField(
        _l("How you answered"),
        validators=[required(_l("Write down how you answered: by e-mail or phone, and "
                                "what you said in short.")), LengthLimit(NOTE_MAX)],
    )


class LinkForm(FlaskForm):
    """The customer a request is linked to, chosen from a search or the likely ones."""

    customer = HiddenField()

    def chosen_customer_id(self):
        value = (self.customer.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

