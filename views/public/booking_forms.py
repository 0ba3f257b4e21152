"""The public booking form: what a customer types, checked field by field, and the
forms of a customer's own change (cancel, move) at the booking's link."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Optional

from models import whole_number
from models.business.catalogue import StaffMember
from models.people.customers import (
    CustomerDetails,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
)
from web.forms import Form, LengthLimit, normalised, required


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
        return value if value == "any" else whole_number(value)

    def chosen_member(self):
        """The active staff member chosen, or None (anyone free, or not found): looked up
        once for the form, which the checks and the booking each ask for."""
        if not hasattr(self, "_chosen_member"):
            staff_id = self.chosen_staff_id()
            self._chosen_member = (StaffMember.active_one(staff_id) if isinstance(staff_id, int)
                                   else None)
        return self._chosen_member


class BookingForm(ChosenTime, Form):
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

    def contact_fields(self):
        """The names of the fields the customer fills in, in the form's order."""
        address = ("street", "postal_code", "town") if self.service.needs_address else ()
        return ("name", "email", "phone", *address, "message")

    def shown_privacy_version(self):
        """The statement version the form says it showed, as a number, or None."""
        return whole_number(self.privacy_version.data)

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


class ChangeForm(Form):
    """A customer's change to their booking, based on the version they saw."""

    class Meta:
        # The booking's secret link is the form's address, and web.security
        # refuses POSTs from other sites.
        csrf = False

    version = HiddenField()

    def chosen_version(self):
        """The version as a number, or None when the field was tampered with."""
        return whole_number(self.version.data)


class MoveForm(ChosenTime, ChangeForm):
    """The new time of a booking being moved."""

    start = HiddenField()
    staff = HiddenField()

    def __init__(self, service, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
