"""Forms of the owner's pages: the business and its rules, services, staff and their
hours, closed days, accounts, and the audit log's filter.

The forms read what was typed; the rules themselves are in models.business.settings and
models.accounts, and a refusal from there is shown at the field it concerns."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional, StopValidation

from engines.business_id import InvalidBusinessId, normalise_business_id
from engines.colour import PALETTE, InvalidColour
from engines.images import MAX_BYTES, UnusableImage
from models import whole_number
from models.accounts.administration import AccountRefused
from models.accounts.users import OWNER, STAFF_ROLE, User
from models.business.catalogue import Service, StaffMember
from models.business.settings import (
    DayRange,
    InvalidSetting,
    check_day,
    parse_day,
    parse_price,
    parse_time_of_day,
    parse_vat,
    parse_whole_number,
)
from models.people.customers import (
    display_phone,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
)
from models.privacy.audit_log import AuditFilter
from web.forms import Form, LengthLimit, PartForm, normalised

RULE_MESSAGES = {
    "number_invalid": _l("Give a whole number, e.g. 30."),
    "number_range": _l("Give a number from %(min)d to %(max)d."),
    "price_invalid": _l("Give the price in euros, e.g. 45,00."),
    "price_negative": _l("A price cannot be negative."),
    "price_too_high": _l("A price can be at most %(max)d euros."),
    "vat_invalid": _l("Give the VAT rate in per cent, e.g. 25,5."),
    "vat_range": _l("A VAT rate is from 0 to 100 per cent."),
    "time_invalid": _l("Give a time of day, e.g. 9.00 or 17.30."),
    "time_outside_day": _l("A time of day is from 0.00 to 23.59: a range cannot go past "
                           "midnight."),
    "date_invalid": _l("Give a date, e.g. 24.11.2026."),
    "end_before_start": _l("The end must be after the start."),
    "both_times": _l("Give both the start and the end, or neither."),
    "overlap": _l("This overlaps another range of the same kind on the same day."),
    "break_outside_hours": _l("A break must lie within the working hours of its day."),
    "overlaps_usual_hours": _l("This overlaps the usual working hours of that weekday."),
    "past_day": _l("Choose a day from today on."),
    "day_closed": _l("The business is closed that day. Open it under closed days first."),
    "not_holiday": _l("That day is not a public holiday."),
    "holiday": _l("That day is a public holiday: it is closed unless you open it."),
    "already_closed": _l("That day is closed already."),
    "last_before_first": _l("The last day cannot be before the first."),
    "business_id_format": _l("A business ID is seven digits, a dash and a check digit, "
                             "e.g. 1234567-1."),
    "business_id_check_digit": _l("The check digit does not match. Check the business ID."),
    "email_taken": _l("An account with this e-mail address exists already."),
    "self": _l("You cannot disable your own account."),
    "inactive": _l("The account is disabled. Enable it first."),
    "colour_format": _l("Give a colour as # and six hexadecimal digits, e.g. #1f5f8b."),
    "colour_contrast": _l("Text would be hard to read on this colour: its contrast with "
                          "white is %(ratio)s:1, and at least 4.5:1 is needed. Choose a "
                          "darker colour."),
    "image_missing": _l("Choose a file first."),
    "image_too_large": _l("The file is larger than %(size)d MB. Choose a smaller one."),
    "image_not_image": _l("This file is not a picture that can be opened. Choose a PNG, "
                          "JPEG or WebP image."),
    "image_wrong_type": _l("Only PNG, JPEG and WebP pictures are accepted. Save the picture "
                           "in one of them and try again."),
    "image_too_many_pixels": _l("The picture has too many pixels. Make it smaller first, "
                                "e.g. 4000 pixels wide."),
}


def message_for(error):
    """The message, in the user's language, for a refusal of the rules."""
    if isinstance(error, InvalidBusinessId):
        return str(RULE_MESSAGES[f"business_id_{error.code}"])
    if isinstance(error, InvalidColour):
        ratio = format_decimal(round(error.ratio or 0, 1), format="0.0")
        return str(RULE_MESSAGES[f"colour_{error.code}"]) % {"ratio": ratio}
    if isinstance(error, UnusableImage):
        return str(RULE_MESSAGES[f"image_{error.code}"]) % {"size": MAX_BYTES // 2**20}
    return str(RULE_MESSAGES[error.code]) % getattr(error, "values", {})


def checked(parse):
    """A validator that keeps what `parse` reads from the text in `field.parsed`, or
    says at the field what is wrong. An empty field is for Optional or DataRequired."""

    def validator(form, field):
        text = (field.data or "").strip()
        if not text:
            return
        try:
            field.parsed = parse(text)
        except (InvalidSetting, InvalidBusinessId) as error:
            raise StopValidation(message_for(error)) from error

    return validator


def number(setting):
    """A whole number within the limits of `setting` (models.business.settings.LIMITS)."""
    return checked(lambda text: parse_whole_number(text, setting))


def value(field):
    """What a validated field holds: the value read from it, or its text."""
    for read in ("parsed", "normalised"):
        if hasattr(field, read):
            return getattr(field, read)
    return (field.data or "").strip()


def read_or_none(field):
    return getattr(field, "parsed", None)


def decimal_text(number):
    """A number as Finns write it, 45,5."""
    return str(number).replace(".", ",")


def given(message):
    return DataRequired(message=message)


def options(pairs):
    """Choices of a select field or a group of checkboxes from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


NOT_AN_OPTION = _l("Choose one of the options given.")


class CheckedForm(Form):
    """A form whose values a model function stores; a refusal of that function is
    shown at the field named for its code in `refused_at`, else at the first field."""

    refused_at = {}
    # Keeps the ids of its fields apart from another form's on the same page.
    field_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.field_prefix)
        super().__init__(*args, **kwargs)

    def values(self):
        raise NotImplementedError

    def stored(self, store, *args, **extra):
        """Store the values with `store(*args, **values, **extra)`; False with the
        message at the field when the rules refuse them. The result is in .result."""
        try:
            self.result = store(*args, **self.values(), **extra)
        except (InvalidSetting, AccountRefused, InvalidColour, UnusableImage) as error:
            name = self.refused_at.get(error.code) or next(iter(self.values()))
            self[name].errors.append(message_for(error))
            return False
        return True


# The business -------------------------------------------------------------------

class BusinessForm(CheckedForm):
    name = StringField(_l("Name of the business"), validators=[
        given(_l("Give the name of the business.")), LengthLimit(200)])
    business_id = StringField(_l("Business ID (Y-tunnus)"), validators=[
        Optional(), LengthLimit(12), checked(normalise_business_id)])
    street = StringField(_l("Street address"), validators=[LengthLimit(200)])
    postal_code = StringField(_l("Postal code"), validators=[
        Optional(), LengthLimit(10), normalised(normalise_postal_code)])
    town = StringField(_l("Town"), validators=[LengthLimit(100)])
    phone = StringField(_l("Phone"), validators=[
        Optional(), LengthLimit(30), normalised(normalise_phone)])
    email = StringField(_l("E-mail"), validators=[
        Optional(), LengthLimit(254), normalised(normalise_email)])
    intro_fi = TextAreaField(_l("Home page text in Finnish"), validators=[LengthLimit(5000)])
    intro_sv = TextAreaField(_l("Home page text in Swedish"), validators=[LengthLimit(5000)])
    intro_en = TextAreaField(_l("Home page text in English"), validators=[LengthLimit(5000)])

    FIELDS = ("name", "business_id", "street", "postal_code", "town", "phone", "email",
              "intro_fi", "intro_sv", "intro_en")

    @classmethod
    def of(cls, business):
        data = {name: getattr(business, name) for name in cls.FIELDS}
        data["phone"] = display_phone(business.phone)
        return cls(formdata=None, data=data)

    def values(self):
        return {name: value(self[name]) for name in self.FIELDS}


# The business's look ---------------------------------------------------------------

PALETTE_NAMES = {
    "blue": _l("Blue"), "green": _l("Green"), "teal": _l("Teal"), "violet": _l("Violet"),
    "plum": _l("Plum"), "red": _l("Red"), "brown": _l("Brown"), "graphite": _l("Graphite"),
}
OWN = "own"


class BrandColourForm(CheckedForm):
    """A colour of the palette, the site's own, or one the owner gives; the model checks
    that text reads on it."""

    colour = RadioField(_l("Brand colour"), default="", invalid_choice_message=NOT_AN_OPTION,
                        choices=options([("", _l("The site's own")),
                                         *((value, PALETTE_NAMES[name])
                                           for value, name in PALETTE),
                                         (OWN, _l("My own colour"))]))
    own = StringField(_l("My own colour"), validators=[LengthLimit(7)])

    refused_at = {"format": "own", "contrast": "own"}
    field_prefix = "brand"

    @classmethod
    def of(cls, business):
        chosen = business.brand_colour
        in_palette = chosen in {value for value, _name in PALETTE}
        if chosen and not in_palette:
            return cls(formdata=None, colour=OWN, own=chosen)
        return cls(formdata=None, colour=chosen)

    def validate_own(self, field):
        if self.colour.data == OWN and not (field.data or "").strip():
            raise StopValidation(str(RULE_MESSAGES["colour_format"]))

    def values(self):
        if self.colour.data == OWN:
            return {"text": value(self.own)}
        return {"text": self.colour.data or ""}


class ImageForm(CheckedForm):
    """An upload of the logo or the picture (the model makes it fit and refuses what is
    not a PNG, JPEG or WebP image)."""

    image = FileField()

    refused_at = {code: "image" for code in
                  ("too_large", "not_image", "wrong_type", "too_many_pixels")}

    def __init__(self, kind, *args, **kwargs):
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.image.label.text = LOGO_LABEL if kind == "logo" else PICTURE_LABEL

    def validate_image(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise StopValidation(str(RULE_MESSAGES["image_missing"]))

    def values(self):
        return {"data": self.image.data.read(MAX_BYTES + 1)}


LOGO_LABEL = _l("Logo")
PICTURE_LABEL = _l("Picture of the place")


def rule_number(label, setting):
    return StringField(label, validators=[given(_l("Give a number.")), number(setting)])


class RulesForm(CheckedForm):
    min_notice_minutes = rule_number(_l("Minimum notice (minutes)"), "min_notice_minutes")
    horizon_days = rule_number(_l("Bookable how far ahead (days)"), "horizon_days")
    slot_step_minutes = rule_number(_l("Start times every (minutes)"), "slot_step_minutes")
    cancellation_hours = rule_number(_l("Customers can cancel until (hours before)"),
                                     "cancellation_hours")
    reminder_hours = rule_number(_l("Reminder e-mail (hours before)"), "reminder_hours")
    idle_timeout_hours = rule_number(_l("Log out staff after a pause of (hours)"),
                                     "idle_timeout_hours")
    require_two_factor = BooleanField(_l("Require two-factor login for every account"))
    marketing_enabled = BooleanField(_l("Offer news and offers by e-mail on the booking form"))

    NUMBERS = ("min_notice_minutes", "horizon_days", "slot_step_minutes",
               "cancellation_hours", "reminder_hours", "idle_timeout_hours")

    @classmethod
    def of(cls, business):
        data = {name: str(getattr(business, name)) for name in cls.NUMBERS}
        return cls(formdata=None, data=data, require_two_factor=business.require_two_factor,
                   marketing_enabled=business.marketing_enabled)

    def values(self):
        found = {name: value(self[name]) for name in self.NUMBERS}
        found["require_two_factor"] = self.require_two_factor.data
        found["marketing_enabled"] = self.marketing_enabled.data
        return found


# Services -------------------------------------------------------------------------

def staff_choices():
    return options(
        (member.id, member.name if member.active else f"{member.name} ({_l('inactive')})")
        for member in StaffMember.select().order_by(StaffMember.name))


class ServiceForm(CheckedForm):
    name_fi = StringField(_l("Name in Finnish"), validators=[
        given(_l("Give the service a name in Finnish.")), LengthLimit(120)])
    name_sv = StringField(_l("Name in Swedish"), validators=[LengthLimit(120)])
    name_en = StringField(_l("Name in English"), validators=[LengthLimit(120)])
    description_fi = TextAreaField(_l("Description in Finnish"), validators=[LengthLimit(2000)])
    description_sv = TextAreaField(_l("Description in Swedish"), validators=[LengthLimit(2000)])
    description_en = TextAreaField(_l("Description in English"), validators=[LengthLimit(2000)])
    category_fi = StringField(_l("Category in Finnish"), validators=[LengthLimit(80)])
    category_sv = StringField(_l("Category in Swedish"), validators=[LengthLimit(80)])
    category_en = StringField(_l("Category in English"), validators=[LengthLimit(80)])
    duration_minutes = StringField(_l("Duration (minutes)"), validators=[
        given(_l("Give the duration in minutes.")), number("duration_minutes")])
    price = StringField(_l("Price with VAT (euros)"), validators=[
        given(_l("Give the price in euros, e.g. 45,00.")), checked(parse_price)])
    vat_percent = StringField(_l("VAT rate (per cent)"), validators=[
        given(_l("Give the VAT rate in per cent, e.g. 25,5.")), checked(parse_vat)])
    buffer_minutes = StringField(_l("Free time after it (minutes)"), validators=[
        given(_l("Give a number; 0 for none.")), number("buffer_minutes")])
    needs_address = BooleanField(_l("Given at the customer's address (asks for it)"))
    staff = SelectMultipleField(_l("Who gives it"), coerce=int,
                                invalid_choice_message=NOT_AN_OPTION)
    active = BooleanField(_l("Shown to customers and bookable online"))
    position = StringField(_l("Place in the list (smallest first)"), validators=[
        given(_l("Give a number; 0 for none.")), number("position")])

    TEXTS = ("name_fi", "name_sv", "name_en", "description_fi", "description_sv",
             "description_en", "category_fi", "category_sv", "category_en")
    NUMBERS = ("duration_minutes", "buffer_minutes", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff.choices = staff_choices()

    @classmethod
    def of(cls, service, staff_ids):
        data = {name: getattr(service, name) for name in cls.TEXTS}
        data.update({name: str(getattr(service, name)) for name in cls.NUMBERS})
        data["price"] = decimal_text(f"{service.price_cents / 100:.2f}")
        data["vat_percent"] = decimal_text(service.vat_percent)
        return cls(formdata=None, data=data, staff=sorted(staff_ids),
                   needs_address=service.needs_address, active=service.active)

    def values(self):
        found = {name: value(self[name]) for name in (*self.TEXTS, *self.NUMBERS)}
        found.update(price_cents=value(self.price), vat_percent=value(self.vat_percent),
                     needs_address=self.needs_address.data, active=self.active.data)
        return found


def new_service():
    """A service as the form for a new one starts."""
    last = Service.select().order_by(Service.position.desc()).first()
    return Service(duration_minutes=60, price_cents=0, buffer_minutes=0,
                   position=last.position + 1 if last else 0)


# Staff members -------------------------------------------------------------------

class StaffMemberForm(CheckedForm):
    name = StringField(_l("Name"), validators=[
        given(_l("Give the staff member's name.")), LengthLimit(100)])
    active = BooleanField(_l("Works here now (customers can book them)"))
    services = SelectMultipleField(_l("Services they give"), coerce=int,
                                   invalid_choice_message=NOT_AN_OPTION)
    intro_fi = TextAreaField(_l("Introduction in Finnish"), validators=[LengthLimit(600)])
    intro_sv = TextAreaField(_l("Introduction in Swedish"), validators=[LengthLimit(600)])
    intro_en = TextAreaField(_l("Introduction in English"), validators=[LengthLimit(600)])

    INTROS = ("intro_fi", "intro_sv", "intro_en")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.services.choices = options(
            (service.id, service.name_fi)
            for service in Service.select().order_by(Service.position, Service.id))

    @classmethod
    def of(cls, member, service_ids):
        return cls(formdata=None, name=member.name, active=member.active,
                   services=sorted(service_ids),
                   **{name: getattr(member, name) for name in cls.INTROS})

    def values(self):
        return {"name": value(self.name), "active": self.active.data,
                **{name: value(self[name]) for name in self.INTROS}}


KINDS = options([("work", _l("Working")), ("break", _l("Break"))])


class RangeRow(PartForm):
    """One row of a weekday: working time or a break, from and until. A row left
    empty is no range; emptying a row removes its range."""

    kind = SelectField(_l("Kind"), choices=KINDS, default="work",
                       invalid_choice_message=NOT_AN_OPTION)
    start = StringField(_l("From"), validators=[checked(parse_time_of_day)])
    end = StringField(_l("Until"), validators=[checked(parse_time_of_day)])

    def validate_end(self, field):
        if bool((self.start.data or "").strip()) != bool((field.data or "").strip()):
            raise StopValidation(str(RULE_MESSAGES["both_times"]))

    def is_blank(self):
        return not (self.start.data or "").strip() and not (self.end.data or "").strip()

    def day_range(self):
        return DayRange(self.start.parsed, self.end.parsed, self.kind.data == "break")


class DayRows(PartForm):
    rows = FieldList(FormField(RangeRow), min_entries=1, max_entries=12)


class WeekForm(Form):
    """A staff member's usual week: for each weekday (0 = Monday) its rows."""

    days = FieldList(FormField(DayRows), min_entries=7, max_entries=7)
    # Set by a day's "Add a row" button: show one more empty row, save nothing.
    add_row = StringField()
    # Set by a day's "Copy to Monday–Friday" button: the other weekdays get its rows,
    # shown to check and save; nothing is saved yet.
    copy_day = StringField()

    @classmethod
    def of(cls, week):
        def row(r):
            return {"kind": "break" if r.is_break else "work",
                    "start": r.start.strftime("%H:%M"), "end": r.end.strftime("%H:%M")}

        days = [{"rows": [row(r) for r in week[weekday]] + [{}]} for weekday in range(7)]
        return cls(formdata=None, data={"days": days})

    def add_empty_row(self):
        weekday = whole_number(self.add_row.data, largest=6)
        if weekday is not None:
            self.days[weekday].rows.append_entry()

    def copied(self):
        """The week as typed, with the rows of the day named by `copy_day` on every
        other weekday from Monday to Friday (the weekend is left as it is)."""
        source = whole_number(self.copy_day.data, largest=6)

        def rows(weekday):
            return [{"kind": row.kind.data, "start": row.start.data, "end": row.end.data}
                    for row in self._filled(weekday)]

        days = [{"rows": rows(source if weekday < 5 and source is not None else weekday)
                 + [{}]} for weekday in range(7)]
        return WeekForm(formdata=None, data={"days": days})

    def _filled(self, weekday):
        return [row.form for row in self.days[weekday].rows if not row.form.is_blank()]

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        valid = True
        for weekday in range(7):
            rows = self._filled(weekday)
            for position, code in check_day([row.day_range() for row in rows]):
                rows[position].end.errors.append(str(RULE_MESSAGES[code]))
                valid = False
        return valid

    def week(self):
        return {weekday: [row.day_range() for row in self._filled(weekday)]
                for weekday in range(7)}


class TimeOffForm(CheckedForm):
    first_day = StringField(_l("First day"), validators=[
        given(_l("Give the first day.")), checked(parse_day)])
    start = StringField(_l("From (empty: the whole day)"), validators=[
        Optional(), checked(parse_time_of_day)])
    last_day = StringField(_l("Last day (empty: the same day)"), validators=[
        Optional(), checked(parse_day)])
    end = StringField(_l("Until (empty: the whole day)"), validators=[
        Optional(), checked(parse_time_of_day)])
    reason = StringField(_l("Note (optional, e.g. holiday)"), validators=[LengthLimit(200)])

    refused_at = {"end_before_start": "last_day"}
    field_prefix = "time-off"

    def values(self):
        return {"first_day": read_or_none(self.first_day),
                "last_day": read_or_none(self.last_day),
                "start": read_or_none(self.start), "end": read_or_none(self.end),
                "reason": value(self.reason)}


class ExtraHoursForm(CheckedForm):
    day = StringField(_l("Day"), validators=[given(_l("Give the day.")), checked(parse_day)])
    start = StringField(_l("From"), validators=[
        given(_l("Give the start time.")), checked(parse_time_of_day)])
    end = StringField(_l("Until"), validators=[
        given(_l("Give the end time.")), checked(parse_time_of_day)])

    refused_at = {"end_before_start": "end"}
    field_prefix = "extra"

    def values(self):
        return {"day": self.day.parsed, "start": self.start.parsed, "end": self.end.parsed}


# Closed days -----------------------------------------------------------------------

class ClosedDayForm(CheckedForm):
    day = StringField(_l("Day"), validators=[given(_l("Give the day.")), checked(parse_day)])
    note = StringField(_l("Note (optional, shown only here)"), validators=[LengthLimit(200)])

    def values(self):
        return {"day": self.day.parsed, "note": value(self.note)}


class HolidayForm(CheckedForm):
    day = StringField(validators=[given(_l("Give the day.")), checked(parse_day)])
    state = SelectField(choices=options([("open", _l("Open")), ("closed", _l("Closed"))]))

    def values(self):
        return {"day": self.day.parsed, "is_open": self.state.data == "open"}


# Accounts ---------------------------------------------------------------------------

ROLE_NAMES = {STAFF_ROLE: _l("Staff"), OWNER: _l("Owner")}


class InviteForm(CheckedForm):
    name = StringField(_l("Name"), validators=[
        given(_l("Give the person's name.")), LengthLimit(100)])
    email = StringField(_l("E-mail"), validators=[
        given(_l("Give the person's e-mail address.")), LengthLimit(254),
        normalised(normalise_email)])
    role = SelectField(_l("Role"), choices=options(ROLE_NAMES.items()), default=STAFF_ROLE,
                       invalid_choice_message=NOT_AN_OPTION)
    staff_member = SelectField(_l("Their own calendar"), default="",
                               invalid_choice_message=NOT_AN_OPTION)

    refused_at = {"email_taken": "email"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_member.choices = options([("", _l("None"))] + [
            (str(member.id), member.name) for member in
            StaffMember.select().where(StaffMember.active).order_by(StaffMember.name)])

    def values(self):
        linked = self.staff_member.data
        return {"email": value(self.email), "name": value(self.name),
                "role": self.role.data, "staff_member": whole_number(linked)}


# The audit log ---------------------------------------------------------------------

class AuditFilterForm(Form):
    """The filter of the audit log: a GET form, so a filtered view has its address."""

    class Meta:
        csrf = False

    user = SelectField(_l("User"), default="", invalid_choice_message=NOT_AN_OPTION)
    customer = StringField(_l("Customer (number or name)"), validators=[LengthLimit(100)])
    first_day = StringField(_l("From"), validators=[Optional(), checked(parse_day)])
    last_day = StringField(_l("Until"), validators=[Optional(), checked(parse_day)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = options([("", _l("Anyone"))] + [
            (str(user.id), f"{user.name} <{user.email}>")
            for user in User.select().order_by(User.name)])

    def validate_last_day(self, field):
        first, last = read_or_none(self.first_day), read_or_none(field)
        if first and last and last < first:
            raise StopValidation(str(RULE_MESSAGES["last_before_first"]))

    def chosen(self):
        customer = value(self.customer)
        number = whole_number(customer)
        return AuditFilter(
            user_id=whole_number(self.user.data),
            customer_id=number,
            customer_name="" if number is not None else customer,
            first_day=read_or_none(self.first_day),
            last_day=read_or_none(self.last_day),
        )

    def query(self):
        """The filter as it travels in a link: only the fields in use."""
        return {field.name: field.data for field in self if field.data}
