"""The public contact form: what a person writes to the business, checked field by field
(the contact details by the same rules as the booking form)."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional

from models.people.contact_requests import (
    BOOKING_QUESTION,
    BY_EMAIL,
    BY_PHONE,
    MESSAGE_MAX,
    NAME_MAX,
    REPLY_BY,
    SUBJECTS,
    ContactDetails,
)
from models.people.customers import normalise_email, normalise_phone
from web.forms import Form, LengthLimit, normalised, required
from web.wording import CONTACT_SUBJECTS, REPLY_NAMES

UNREACHABLE = _l("Give an e-mail address or a phone number, so that we can answer you.")
NO_EMAIL = _l("You chose an answer by e-mail: give your e-mail address above, "
              "or choose a phone call.")
NO_PHONE = _l("You chose a phone call: give your phone number above, "
              "or choose an answer by e-mail.")
class ContactForm(Form):
    class Meta:
        csrf = False  # the public form carries a session-less token instead

    name = StringField(
        _l("Name"),
        validators=[required(_l("Tell us your name.")), LengthLimit(NAME_MAX)],
    )
    email = StringField(
        _l("E-mail"),
        validators=[Optional(), LengthLimit(254), normalised(normalise_email)],
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), LengthLimit(30), normalised(normalise_phone)],
    )
    preferred_reply = RadioField(
        _l("How we answer you"),
        choices=[SelectChoice(value, REPLY_NAMES[value]) for value in REPLY_BY],
        default=BY_EMAIL, validate_choice=False,
        validators=[AnyOf(REPLY_BY, message=_l("Choose e-mail or phone."))],
    )
    subject = SelectField(
        _l("Subject"),
        choices=[SelectChoice(value, CONTACT_SUBJECTS[value]) for value in SUBJECTS],
        default=BOOKING_QUESTION, validate_choice=False,
        validators=[AnyOf(SUBJECTS, message=_l("Choose one of the subjects listed."))],
    )
    message = TextAreaField(
        _l("Message"),
        validators=[required(_l("Write your message.")), LengthLimit(MESSAGE_MAX)],
    )
    # The trap for robots: hidden from people (and from screen readers), so anything
    # in it was put there by a program filling in every field it finds.
    website = StringField(_l("Leave this field empty"))
    form_token = HiddenField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        problem = self.reachability_problem()
        if problem is not None:
            self.preferred_reply.errors = [*self.preferred_reply.errors, problem]
            valid = False
        return valid

    def reachability_problem(self):
        """What is missing for the chosen way of answering, or None. Only for an
        address or number as typed: a mistyped one has its own message at its field."""
        email, phone = (bool((field.data or "").strip()) for field in (self.email, self.phone))
        if self.preferred_reply.errors:
            return None
        if not (email or phone):
            return UNREACHABLE
        if self.preferred_reply.data == BY_EMAIL and not email:
            return NO_EMAIL
        if self.preferred_reply.data == BY_PHONE and not phone:
            return NO_PHONE
        return None

    def details(self, language):
        def value(field):
            return getattr(field, "normalised", None) or " ".join((field.data or "").split())

        return ContactDetails(
            name=value(self.name),
            email=value(self.email),
            phone=value(self.phone),
            subject=self.subject.data,
            message=self.message.data.strip(),
            preferred_reply=self.preferred_reply.data,
            language=language,
        )

