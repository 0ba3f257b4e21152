"""The calendar's forms: a booking made by staff, a move, a cancellation, a status,
a note. Each change carries the version of the booking it was opened with."""

import re
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Optional, StopValidation, ValidationError

from engines.clock import HELSINKI, local
from models import whole_number
from models.business.catalogue import Service, StaffMember
from models.people.customers import (
    Customer,
    CustomerDetails,
    normalise_email,
    normalise_phone,
)
from web.formatting import start_param
from web.forms import Form, LengthLimit, normalised, required

CHOOSE_SERVICE = _l("Choose one of the services listed.")
CHOOSE_STAFF = _l("Choose one of the people listed.")
CHOOSE_DAY = _l("Choose a day from the calendar, e.g. 24.11.2026.")
CHOOSE_TIME = _l("Choose a time from the list, or write another time.")
TIME_FORMAT = _l("Write the time as hours and minutes, e.g. 14.30.")
WRONG_DAY = _l("This time is on another day: choose a time of the chosen day.")
NO_CUSTOMER = _l("The chosen customer is not in the register any more. Find them again.")
NO_STAFF_FOR_SERVICE = _l("This person does not do the chosen service.")
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def parse_day(text):
    """A day typed or sent as 2026-11-24, within the years the calendar shows, or
    None."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def parse_start(text):
    """A time as it travels in a form (UTC, see formatting.start_param), or None."""
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_clock(text):
    """14.30, 14:30 or 9 as a wall-clock time, or None."""
    found = re.fullmatch(r"([0-9]{1,2})(?:[.:]([0-9]{2}))?", (text or "").strip())
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


class ChoiceForm(Form):
    """Service, staff member and day of a new booking, and the customer chosen or
    searched for. A GET form on the page (without the CSRF token); the booking form
    below carries the same fields."""

    service = StringField(_l("Service"))
    staff = StringField(_l("Who"))
    day = StringField(_l("Day"))
    customer = HiddenField()
    q = StringField(_l("Find a customer"), validators=[Optional(), LengthLimit(100)])
    # The wall-clock time an empty slot of the calendar was chosen at (e.g. 9.15):
    # the time offered first once the service is chosen.
    time = HiddenField()

    chosen_service = chosen_staff = chosen_day = chosen_customer = chosen_time = None

    def validate_service(self, field):
        if field.data:
            service = Service.get_or_none(
                (Service.id == (whole_number(field.data) or 0)) & Service.active)
            if service is None:
                raise ValidationError(str(CHOOSE_SERVICE))
            self.chosen_service = service

    def validate_staff(self, field):
        if field.data:
            member = StaffMember.active_one(whole_number(field.data) or 0)
            if member is None:
                raise ValidationError(str(CHOOSE_STAFF))
            self.chosen_staff = member

    def validate_day(self, field):
        if field.data:
            self.chosen_day = parse_day(field.data)
            if self.chosen_day is None:
                raise ValidationError(str(CHOOSE_DAY))

    def validate_time(self, field):
        # A time that cannot be read is simply not offered: it came from a link.
        self.chosen_time = parse_clock(field.data) if field.data else None

    def validate_customer(self, field):
        if field.data:
            self.chosen_customer = Customer.get_or_none(
                Customer.id == (whole_number(field.data) or 0))
            if self.chosen_customer is None:
                raise ValidationError(str(NO_CUSTOMER))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        service, member = self.chosen_service, self.chosen_staff
        if service and member and member.id not in {s.id for s in service.staff()}:
            self.staff.errors = [*self.staff.errors, str(NO_STAFF_FOR_SERVICE)]
            self.chosen_staff = None
            return False
        return valid

    def query(self, **changes):
        """The choices as query arguments of a link, with `changes`."""
        values = {name: getattr(self, name).data or "" for name in
                  ("service", "staff", "day", "customer", "time")}
        return {key: value for key, value in {**values, **changes}.items() if value}


class NewBookingForm(ChoiceForm):
    """The booking itself: the time, the customer (or a new one) and a note."""

    start = StringField(_l("Time"))
    other_time = StringField(_l("Another time"), validators=[Optional(), LengthLimit(5)])
    # Not Optional(): that would end the checks before the one that needs a name
    # and a way to reach the customer unless one from the register was chosen.
    name = StringField(_l("Name"), validators=[LengthLimit(100)])
    email = StringField(_l("E-mail"), validators=[LengthLimit(254), normalised(normalise_email)])
    phone = StringField(_l("Phone"), validators=[LengthLimit(30), normalised(normalise_phone)])
    note = TextAreaField(_l("Internal note (optional)"),
                         validators=[Optional(), LengthLimit(2000)])
    # Holds "<staff id>@<time>" when staff confirm booking a time that is not free.
    overbook = HiddenField()

    chosen_start = None
    existing_customer = None

    def validate_service(self, field):
        if not field.data:
            raise StopValidation(str(CHOOSE_SERVICE))
        super().validate_service(field)

    def validate_staff(self, field):
        if not field.data:
            raise StopValidation(str(CHOOSE_STAFF))
        super().validate_staff(field)

    def validate_day(self, field):
        if not field.data:
            raise StopValidation(str(CHOOSE_DAY))
        super().validate_day(field)

    def validate_start(self, field):
        if self.chosen_day is None or self.other_time.data:
            return
        self.chosen_start = parse_start(field.data)
        if self.chosen_start is None:
            raise ValidationError(str(CHOOSE_TIME))
        if local(self.chosen_start).date() != self.chosen_day:
            self.chosen_start = None
            raise ValidationError(str(WRONG_DAY))

    def validate_other_time(self, field):
        if self.chosen_day is None or not field.data:
            return
        clock = parse_clock(field.data)
        if clock is None:
            raise StopValidation(str(TIME_FORMAT))
        self.chosen_start = datetime.combine(self.chosen_day, clock, HELSINKI)

    def validate_name(self, field):
        if not self.customer.data and not (field.data or "").strip():
            raise StopValidation(str(_l("Give the customer's name, or find the customer "
                                        "in the register above.")))

    def validate_email(self, field):
        if not self.customer.data and not field.data and not self.phone.data:
            raise StopValidation(str(_l("Give an e-mail address or a phone number, so "
                                        "that we can reach the customer.")))

    @property
    def overbook_key(self):
        """What the "book anyway" box must hold to overbook exactly this choice."""
        if self.chosen_staff is None or self.chosen_start is None:
            return ""
        return f"{self.chosen_staff.id}@{start_param(self.chosen_start)}"

    def overbook_confirmed(self):
        return bool(self.overbook.data) and self.overbook.data == self.overbook_key

    def new_customer(self):
        def value(field):
            return getattr(field, "normalised", None) or (field.data or "").strip()

        return CustomerDetails(name=value(self.name), email=value(self.email),
                               phone=value(self.phone))


class VersionForm(Form):
    """A change to a booking, based on the version it was opened with."""

    version = HiddenField()

    def based_on(self):
        """The version the form was opened with (0 when it was tampered with: that
        matches no booking, so the change is refused as a conflict)."""
        return whole_number(self.version.data) or 0


class StatusForm(VersionForm):
    name_in_page = "status_form"  # what the booking's page calls it
    status = HiddenField()


class NoteForm(VersionForm):
    name_in_page = "note_form"
    note = TextAreaField(_l("Internal note"), validators=[Optional(), LengthLimit(2000)])


class CancelForm(VersionForm):
    name_in_page = "cancel_form"
    reason = TextAreaField(_l("Reason for cancelling"), validators=[
        required(_l("Write why the booking is cancelled.")), LengthLimit(500)])
    shared = BooleanField(_l("Tell the customer the reason"))


class MoveForm(VersionForm):
    """The new time of a booking: the staff member and day to look at, and the time."""

    staff = StringField(_l("Who"))
    day = StringField(_l("Day"))
    start = StringField(_l("New time"))

    chosen_staff = chosen_day = chosen_start = None

    def __init__(self, service, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service

    def validate_staff(self, field):
        member = StaffMember.active_one(whole_number(field.data) or 0)
        if member is None:
            raise StopValidation(str(CHOOSE_STAFF))
        if member.id not in {s.id for s in self.service.staff()}:
            raise StopValidation(str(NO_STAFF_FOR_SERVICE))
        self.chosen_staff = member

    def validate_day(self, field):
        self.chosen_day = parse_day(field.data)
        if self.chosen_day is None:
            raise StopValidation(str(CHOOSE_DAY))

    def validate_start(self, field):
        self.chosen_start = parse_start(field.data)
        if self.chosen_start is None:
            raise StopValidation(str(_l("Choose a new time from the list.")))

    def check_choice(self):
        """For the page that shows the times: whether the staff member and the day to
        look at are right (no time chosen yet)."""
        valid = True
        for field, check in ((self.staff, self.validate_staff), (self.day, self.validate_day)):
            try:
                check(field)
            except (ValueError, StopValidation) as error:
                field.errors = [str(error)]
                valid = False
        return valid
