"""Forms of the customer register: a customer's details, a note, a merge.

The contact fields are checked by the same rules as the public booking form."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from models.people.customers import (
    CustomerDetails,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
)
from models.people.register import customer_with_email
from web.formatting import LANGUAGES
from web.forms import Form, LengthLimit, normalised, required
from web.wording import LANGUAGE_WORDS

REACHABLE = _l("Give an e-mail address or a phone number, so the customer can be reached.")
EMAIL_TAKEN = _l("A customer with this e-mail address is already in the register.")
NOTE_MAX = 5000
LABELS = {
    "name": _l("Name"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "street": _l("Street address"),
    "postal_code": _l("Postal code"),
    "town": _l("Town"),
    "language": _l("Language of messages to the customer"),
}


class CustomerForm(Form):
    name = StringField(
        LABELS["name"], validators=[required(_l("Give the customer's name.")), LengthLimit(100)]
    )
    email = StringField(
        LABELS["email"],
        validators=[Optional(), LengthLimit(254), normalised(normalise_email)],
    )
    phone = StringField(
        LABELS["phone"], validators=[Optional(), LengthLimit(30), normalised(normalise_phone)]
    )
    street = StringField(LABELS["street"], validators=[Optional(), LengthLimit(200)])
    postal_code = StringField(
        LABELS["postal_code"],
        validators=[Optional(), LengthLimit(10), normalised(normalise_postal_code)],
    )
    town = StringField(LABELS["town"], validators=[Optional(), LengthLimit(100)])
    language = SelectField(
        LABELS["language"],
        choices=[SelectChoice(code, LANGUAGE_WORDS[code]) for code in LANGUAGES],
        default="fi",
    )
    # The fingerprint of the stored details the form was opened on (editing only).
    seen = HiddenField()

    def __init__(self, *args, customer_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer_id = customer_id
        self.existing = None  # the other customer who has the e-mail address typed

    def validate_email(self, field):
        self.existing = customer_with_email(field.normalised, other_than=self.customer_id)
        if self.existing is not None:
            raise ValidationError(str(EMAIL_TAKEN))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors = [*self.email.errors, REACHABLE]
            valid = False
        return valid

    def details(self):
        def value(field):
            return getattr(field, "normalised", None) or " ".join((field.data or "").split())

        return CustomerDetails(
            name=value(self.name),
            email=value(self.email),
            phone=value(self.phone),
            street=value(self.street),
            postal_code=value(self.postal_code),
            town=value(self.town),
        )


class NoteForm(Form):
    text = TextAreaField(
        _l("Note"),
        validators=[required(_l("Write the note first.")), LengthLimit(NOTE_MAX)],
    )
    confidential = BooleanField(_l("Confidential"))


class MergeForm(Form):
    """The confirmation of a merge: which of the two records is kept."""

    keep = HiddenField()
