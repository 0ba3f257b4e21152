"""Forms of the staff's inbox of contact requests."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from models import whole_number
from models.people.contact_requests import ANSWER_MAX, NOTE_MAX
from web.forms import Form, LengthLimit, required


class AnswerForm(Form):
    """A note of an answer given some other way (by phone, face to face)."""

    note = TextAreaField(
        _l("How you answered"),
        validators=[required(_l("Write down how you answered: by e-mail or phone, and "
                                "what you said in short.")), LengthLimit(NOTE_MAX)],
    )


class SendAnswerForm(Form):
    """The answer itself, sent to the person by e-mail."""

    answer = TextAreaField(
        _l("Your answer"),
        validators=[required(_l("Write the answer to send.")), LengthLimit(ANSWER_MAX)],
    )


class LinkForm(Form):
    """The customer a request is linked to, chosen from a search or the likely ones."""

    customer = HiddenField()

    def chosen_customer_id(self):
        return whole_number(self.customer.data)

