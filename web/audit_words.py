"""The audit log and a booking's history in the reader's words: who acted (a staff
member, or the customer through their booking link) and what changed, with field names
as words and old → new values in the reader's formats.

An entry's details are stored as short English notes for the log itself (field names,
"status: confirmed → cancelled", "contact request #12"); they are turned into words only
when shown, so that entries already written read right too. A note this module does not
know is shown as it is."""

import re
from datetime import UTC, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from engines.clock import local
from models.booking import bookings
from models.booking.customer_changes import BY_CUSTOMER
from models.business.catalogue import StaffMember
from web.formatting import date_text, time_text

FIELD_WORDS = {
    "starts_at": _l("time"),
    "staff": _l("staff member"),
    "service": _l("service"),
    "internal_note": _l("staff's note"),
    "status": _l("status"),
    "name": _l("name"),
    "email": _l("e-mail address"),
    "phone": _l("phone number"),
    "street": _l("street address"),
    "postal_code": _l("postal code"),
    "town": _l("town"),
    "language": _l("language"),
    "notes": _l("notes"),
    "confidential": _l("confidential"),
}
STATUS_WORDS = {
    bookings.CONFIRMED: _l("confirmed"),
    bookings.ARRIVED: _l("arrived"),
    bookings.COMPLETED: _l("completed"),
    bookings.NO_SHOW: _l("did not come"),
    bookings.CANCELLED: _l("cancelled"),
}
PHRASES = {
    "unchanged": _l("nothing changed"),
    "the booking form": _l("through the booking form"),
    "reason shared with the customer": _l("the reason was told to the customer"),
    "reason not shared": _l("the reason was not told to the customer"),
    "edit form": _l("the form to change the details"),
    "merge preview": _l("the preview of a merge"),
    "page": _l("on the page"),
    "json": _l("as a JSON file"),
    "print": _l("as a printable page"),
    "via my data": _l("through My data"),
    "online": _l("online"),
}
CHANGE = re.compile(r"(\w+): (.+) → (.+)")
MERGED = re.compile(r"merged customer (\d+)")
FILLED = re.compile(r"filled (.+)")
REQUEST = re.compile(r"(from )?(contact|data) request #(\d+)(?:: (.*))?")
UTC_MINUTE = "%Y-%m-%dT%H:%MZ"


def moved_time(text):
    """A time as a move's note keeps it (UTC, to the minute): ti 24.11.2026 klo 14.30."""
    try:
        moment = local(datetime.strptime(text, UTC_MINUTE).replace(tzinfo=UTC))
    except ValueError:
        return text
    return f"{date_text(moment.date())} {time_text(moment)}"


def _staff_name(text):
    member = StaffMember.get_or_none(StaffMember.id == text) if text.isdigit() else None
    return member.name if member else text


VALUE_WORDS = {
    "starts_at": moved_time,
    "staff": _staff_name,
    "status": lambda text: str(STATUS_WORDS.get(text, text)),
}


def _value(field, text):
    return VALUE_WORDS.get(field, str)(text)


def _part(part):
    change = CHANGE.fullmatch(part)
    if change and change[1] in FIELD_WORDS:
        field, old, new = change.groups()
        return f"{FIELD_WORDS[field]}: {_value(field, old)} → {_value(field, new)}"
    names = part.split(", ")
    if all(name in FIELD_WORDS for name in names):
        return ", ".join(str(FIELD_WORDS[name]) for name in names)
    merged = MERGED.fullmatch(part)
    if merged:
        return gettext("customer %(number)s merged into this one", number=merged[1])
    filled = FILLED.fullmatch(part)
    if filled and all(name in FIELD_WORDS for name in filled[1].split(", ")):
        return gettext("filled in: %(fields)s", fields=_part(filled[1]))
    request = REQUEST.fullmatch(part)
    if request:
        given, kind, number, rest = request.groups()
        said = (gettext("contact request %(number)s", number=number) if kind == "contact"
                else gettext("data request %(number)s", number=number))
        if given:
            said = gettext("from %(request)s", request=said)
        return said + (f": {_part(rest)}" if rest else "")
    return str(PHRASES.get(part, part))


def details_text(details):
    """An entry's details in words; who acted is said by `actor`, not here."""
    parts = [part for part in (details or "").split("; ") if part and part != BY_CUSTOMER]
    return "; ".join(_part(part) for part in parts)


def actor(entry):
    """Who made the entry: the staff member, or the customer (through the booking link
    or the booking form), or the person through My data."""
    if entry.user_id is not None:
        return entry.user.name if entry.user else gettext("a former staff member")
    details = entry.details or ""
    if details.startswith(BY_CUSTOMER):
        return gettext("the customer through their booking link")
    if entry.action == "booking.create":
        return gettext("the customer, booking online")
    if entry.action.startswith(("mydata.", "consent.", "request.receive")):
        return gettext("the person themselves")
    return gettext("the system")


def init_app(app):
    app.jinja_env.globals.update(audit_details=details_text, audit_actor=actor)
