"""Forms of the staff's queue of people's requests about their data: a request entered
by staff, and the steps of handling one."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Optional, StopValidation, ValidationError

from models import whole_number
from models.people.customers import normalise_email, normalise_phone
from models.privacy.data_requests import (
    ACCESS,
    BY_EMAIL,
    CORRECTION,
    ERASURE,
    EXTENSION_MAX_MONTHS,
    IN_PERSON,
    LETTER,
    OBJECTION,
    PHONE,
    PORTABILITY,
    RESTRICTION,
    TEXT_MAX,
)
from models.privacy.declaration import Purpose
from views.staff.customer_forms import CustomerForm
from web.formatting import LANGUAGES
from web.forms import Form, LengthLimit, normalised, required

KIND_NAMES = {
    ACCESS: _l("Access: a copy of their data"),
    CORRECTION: _l("Correction of their data"),
    ERASURE: _l("Erasure of their data"),
    RESTRICTION: _l("Restriction: keep the data but do not use it"),
    OBJECTION: _l("Objection to a use of their data"),
    PORTABILITY: _l("Portability: their data in a machine-readable file"),
}
# Short names for lists and headings.
KIND_SHORT_NAMES = {
    ACCESS: _l("Access"),
    CORRECTION: _l("Correction"),
    ERASURE: _l("Erasure"),
    RESTRICTION: _l("Restriction"),
    OBJECTION: _l("Objection"),
    PORTABILITY: _l("Portability"),
}
SOURCE_NAMES = {
    "online": _l("Online, from the “my data” page"),
    PHONE: _l("By phone"),
    LETTER: _l("By letter"),
    IN_PERSON: _l("In person"),
    BY_EMAIL: _l("By e-mail"),
}
STAFF_SOURCES = (PHONE, LETTER, IN_PERSON, BY_EMAIL)
# What a person may object to: the uses that rest on the business's legitimate
# interest, and news by e-mail.
OBJECTABLE = (Purpose.DEVELOPMENT, Purpose.MISUSE_PREVENTION, Purpose.MARKETING)
NEEDS_DETAILS = (CORRECTION, OBJECTION)


def one_of(values, message):
    """A validator: the value is one of `values`, or `message`."""

    def validator(form, field):
        if (field.data or "") not in values:
            raise StopValidation(str(message))

    return validator


class NewRequestForm(Form):
    """A request someone made by phone, by letter, in person or by e-mail."""

    kind = StringField(_l("What they ask"), validators=[
        one_of(tuple(KIND_NAMES), _l("Choose what the person asks for."))])
    # The customer chosen from the register; empty for someone not found there.
    customer = HiddenField()
    name = StringField(_l("Name"), validators=[LengthLimit(100)])
    # Not Optional(): that would end the checks before the one that needs a way to
    # reach someone not in the register.
    email = StringField(_l("E-mail"), validators=[
        LengthLimit(254), normalised(normalise_email)])
    phone = StringField(_l("Phone"), validators=[
        Optional(), LengthLimit(30), normalised(normalise_phone)])
    language = StringField(_l("Language of the answer"), validators=[
        one_of(LANGUAGES, _l("Choose the language of the answer."))], default="fi")
    source = StringField(_l("How the request came"), validators=[
        one_of(STAFF_SOURCES, _l("Choose how the request came."))])
    identity_check = TextAreaField(_l("How you checked who they are"), validators=[
        required(_l("Write down how you made sure the request is from the person "
                    "themselves, e.g. “called back the number in the register”.")),
        LengthLimit(2000)])
    details = TextAreaField(_l("What they asked"), validators=[LengthLimit(TEXT_MAX)])
    purpose = StringField(_l("The use they object to"))

    chosen_customer = None  # set by the view from `customer`

    def validate_name(self, field):
        if self.chosen_customer is None and not (field.data or "").strip():
            raise StopValidation(str(_l("Give the person's name, or find them in the "
                                        "register above.")))

    def validate_email(self, field):
        if self.chosen_customer is None and not field.data and not self.phone.data:
            raise StopValidation(str(_l("Give an e-mail address or a phone number, so "
                                        "that you can answer them.")))

    def validate_details(self, field):
        if self.kind.data in NEEDS_DETAILS and not (field.data or "").strip():
            message = (_l("Write down what is wrong and what is right.")
                       if self.kind.data == CORRECTION
                       else _l("Write down what they object to, and why."))
            raise ValidationError(str(message))

    def validate_purpose(self, field):
        if self.kind.data == OBJECTION and field.data not in {p.value for p in OBJECTABLE}:
            raise ValidationError(str(_l("Choose the use they object to.")))

    def value(self, name):
        field = getattr(self, name)
        return getattr(field, "normalised", None) or " ".join((field.data or "").split())


class OutcomeForm(Form):
    """Completing a request: what was done, as the person is told it."""

    outcome = TextAreaField(_l("What was done"), validators=[
        required(_l("Write what was done; the person gets it by e-mail.")),
        LengthLimit(TEXT_MAX)])


class ObjectionForm(Form):
    """Accepting an objection: what stops."""

    outcome = TextAreaField(_l("What stops"), validators=[
        required(_l("Write what stops and from when; the person gets it by e-mail.")),
        LengthLimit(TEXT_MAX)])


class MessageForm(Form):
    """A step that completes the request with an optional message to the person."""

    outcome = TextAreaField(_l("A message to the person (optional)"), validators=[
        Optional(), LengthLimit(TEXT_MAX)])


class RefuseForm(Form):
    reason = TextAreaField(_l("Why the request is refused"), validators=[
        required(_l("Give the reason: the person is told it, and a refusal without one "
                    "is not allowed.")), LengthLimit(TEXT_MAX)])


class NoteForm(Form):
    text = TextAreaField(_l("Note"), validators=[
        required(_l("Write the note first.")), LengthLimit(TEXT_MAX)])


class ExtendForm(Form):
    months = StringField(_l("How many months more"))
    # Its own id: the refusal's form beside it on the page has a "reason" too.
    reason = TextAreaField(_l("Why more time is needed"), id="extension-reason", validators=[
        required(_l("Give the reason: the person is told it by e-mail.")),
        LengthLimit(2000)])
    # The extension the form was opened on: the same form sent twice extends once.
    seen = HiddenField()

    def __init__(self, *args, already=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = list(range(1, EXTENSION_MAX_MONTHS - already + 1))

    def validate_months(self, field):
        if not whole_number(field.data, largest=EXTENSION_MAX_MONTHS):
            raise ValidationError(str(_l("Choose how many months more.")))

    def chosen_months(self):
        return whole_number(self.months.data)

    def seen_months(self):
        return whole_number(self.seen.data)


class CorrectionForm(CustomerForm):
    """The customer's details, prefilled with what the register holds, to correct as
    the person asked, and an optional message to them."""

    outcome = TextAreaField(_l("A message to the person (optional)"), validators=[
        Optional(), LengthLimit(TEXT_MAX)])


class LiftRestrictionForm(Form):
    reason = TextAreaField(_l("Why the restriction is lifted"), validators=[
        required(_l("Give the reason for lifting the restriction.")), LengthLimit(2000)])
