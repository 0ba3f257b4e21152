"""The public booking form: what a customer types, checked field by field."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, StopValidation

from models.customers import (
    CustomerDetails,
    InvalidValue,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
)

MESSAGES = {
    "phone_invalid": _l("This is not a phone number we can call. "
                        "Check it, e.g. 040 123 4567 or +46 70 123 45 67."),
    "email_invalid": _l("This is not an e-mail address. Check it, e.g. "
                        "maija@example.fi."),
    "postal_code_invalid": _l("A postal code has five digits, e.g. 00100."),
}


def normalised(normalise):
    """A validator that stores the normal form of the value, or says what is wrong."""

    def validator(form, field):
        if not field.data:
            return
        try:
            field.normalised = normalise(field.data.strip())
        except InvalidValue as error:
            raise StopValidation(str(MESSAGES[error.code])) from error

    return validator


class LengthLimit:
    """A maximum length, with a message that tells how long the text is now."""

    def __init__(self, limit):
        self.limit = limit

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise StopValidation(
                str(_l("At most %(max)d characters; this has %(length)d.",
                       max=self.limit, length=length))
            )


def required(message):
    return DataRequired(message=message)


class ChosenTime:
    """The hidden `start` and `staff` fields of a form that books or moves to a time."""

    def chosen_start(self):
        """The chosen time as an aware datetime, or None when it is not one."""
        try:
            moment = datetime.fromisoformat(self.start.data or "")
        except ValueError:
            return None
        # A year far off is forged, and calendar sums with it would overflow.
        if moment.tzinfo is None or not 2000 <= moment.year <= 2999:
            return None
        return moment

    def chosen_staff_id(self):
        """"any", a staff id, or None when the field was tampered with."""
        value = (self.staff.data or "any").strip()
        if value == "any":
            return value
        return int(value) if value.isdigit() and len(value) < 10 else None


class BookingForm(ChosenTime, FlaskForm):
    class Meta:
        csrf = False  # the public form carries a session-less token instead

    name = StringField(
        _l("Name"),
        validators=[required(_l("Tell us your name.")), LengthLimit(100)],
    )
    email = StringField(
        _l("E-mail"),
        validators=[required(_l("We need your e-mail address for the confirmation.")),
                    LengthLimit(254), normalised(normalise_email)],
    )
    phone = StringField(
        _l("Phone"),
        validators=[required(_l("Give a phone number, in case the time must change.")),
                    LengthLimit(30), normalised(normalise_phone)],
    )
    street = StringField(_l("Street address"), validators=[Optional(), LengthLimit(200)])
    postal_code = StringField(
        _l("Postal code"),
        validators=[Optional(), LengthLimit(10), normalised(normalise_postal_code)],
    )
    town = StringField(_l("Town"), validators=[Optional(), LengthLimit(100)])
    message = TextAreaField(
        _l("Message (optional)"), validators=[Optional(), LengthLimit(2000)]
    )
    # Offered only when the owner has turned news by e-mail on; never ticked for them.
    marketing = BooleanField(
        _l("Send me news and offers by e-mail. You can stop them at any time."))
    start = HiddenField()
    staff = HiddenField()
    form_token = HiddenField()
    # The version of the privacy statement the form showed a link to.
    privacy_version = HiddenField()

    def __init__(self, service, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        if service.needs_address:
            for field in (self.street, self.postal_code, self.town):
                field.validators = [required(_l("The visit needs an address.")),
                                    *field.validators[1:]]
                field.flags.required = True

    def shown_privacy_version(self):
        """The statement version the form says it showed, as a number, or None."""
        value = (self.privacy_version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

    def details(self):
        def value(field):
            return getattr(field, "normalised", None) or (field.data or "").strip()

        return CustomerDetails(
            name=value(self.name),
            email=value(self.email),
            phone=value(self.phone),
            street=value(self.street) if self.service.needs_address else "",
            postal_code=value(self.postal_code) if self.service.needs_address else "",
            town=value(self.town) if self.service.needs_address else "",
        )


class ChangeForm(FlaskForm):
    """A customer's change to their booking, based on the version they saw."""

    class Meta:
        # The booking's secret link is the form's address, and views.security
        # refuses POSTs from other sites.
        csrf = False

    version = HiddenField()

    def chosen_version(self):
        """The version as a number, or None when the field was tampered with."""
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None


class MoveForm(ChosenTime, ChangeForm):
    """The new time of a booking being moved."""

    start = HiddenField()
    staff = HiddenField()

    def __init__(self, service, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
