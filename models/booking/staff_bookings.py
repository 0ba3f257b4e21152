"""Bookings made or changed by staff: a customer who phones or walks in, a move, a
cancellation, arrival and completion, the internal note.

Every change raises the booking's version and is written only if the version is still
the one the change was based on, so that two people editing the same booking never
overwrite each other unknowingly. Every change is logged by the `log` callable the
caller passes (the audit log with the acting user), inside the same transaction.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from peewee import JOIN, IntegrityError, OperationalError

from engines.clock import HELSINKI, local, naive_utc, utc_now
from models import NotAllowed, db, write_transaction
from models.accounts.users import User
from models.booking.bookings import (
    ARRIVED,
    BY_STAFF,
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    LONGEST_BOOKING,
    NO_SHOW,
    Booking,
)
from models.booking.generation import calendar_changed
from models.booking.schedule import SlotTaken, day_free_times, free_staff_at, lost_race
from models.business import Business
from models.business.catalogue import Service, StaffMember
from models.messages import outbox
from models.people.customers import Customer, refuse_if_restricted
from models.people.register import create_customer
from models.privacy.audit import AuditEntry
from models.written import run_written

# Staff book a year ahead; customers online only as far as the booking rules say.
STAFF_HORIZON_DAYS = 366
# The statuses staff set by hand; "confirmed" undoes a mistaken mark.
STAFF_STATUSES = (CONFIRMED, ARRIVED, COMPLETED, NO_SHOW)


class BookingChanged(Exception):
    """Someone saved the booking after the form was opened: nothing was written."""


@dataclass(frozen=True)
class StaffBookingRequest:
    service: Service
    staff: StaffMember
    start: datetime  # aware
    customer: Customer | None  # an existing customer, or None and `new_customer`
    new_customer: object = None  # CustomerDetails
    note: str = ""
    # Staff confirmed that this time is booked although it is not free.
    overbook: bool = False


def staff_rules(any_minute=False):
    """The rules staff book by: the business's grid of start times (or, to check a
    time staff wrote themselves, any minute), no minimum notice (a walk-in is booked
    for right now) and a year ahead."""
    rules = replace(
        Business.current().booking_rules,
        min_notice=timedelta(0),
        horizon_days=STAFF_HORIZON_DAYS,
    )
    return replace(rules, slot_step=timedelta(minutes=1)) if any_minute else rules


def staff_free_times(service, staff, day, now, excluding=None):
    """The times staff can book `service` with `staff` on `day` (not counting the
    booking with id `excluding`, when moving it)."""
    return day_free_times(service, staff, day, now, staff_rules(), excluding)


def _spans(service, start):
    duration = timedelta(minutes=service.duration_minutes)
    blocked = duration + timedelta(minutes=service.buffer_minutes)
    return {
        "starts_at": naive_utc(start),
        "ends_at": naive_utc(start + duration),
        "blocked_until": naive_utc(start + blocked),
    }


def checked_write(write):
    """Run `write` in a transaction that checks and writes; a lost race, whichever
    way the database reports it, is a SlotTaken."""
    try:
        with write_transaction():
            return write()
    except (IntegrityError, OperationalError) as error:
        if isinstance(error, OperationalError) and not lost_race(error):
            raise
        raise SlotTaken from error


def create_booking(request, now, log):
    """Book for a customer met on the phone or at the counter, with the same check
    as online bookings; raises SlotTaken or TimeNotOffered, unless the request says
    staff knowingly overbook, register.DuplicateEmail for a new customer whose
    e-mail the register already holds, and NotAllowed("restricted") for a customer
    whose data is restricted (kept, not used: GDPR Art 18)."""

    def write():
        if request.customer is not None:
            refuse_if_restricted(request.customer)
        if not request.overbook:
            free_staff_at(request.service, request.staff, request.start, now,
                          staff_rules(any_minute=True))
        customer = request.customer or _new_customer(request.new_customer, log)
        booking = Booking.create(
            customer=customer,
            service=request.service,
            staff=request.staff,
            status=CONFIRMED,
            overbooked=request.overbook,
            source=BY_STAFF,
            internal_note=request.note,
            language=customer.language,
            price_cents=request.service.price_cents,
            **_spans(request.service, request.start),
        )
        details = "service, staff, starts_at" + (", internal_note" if request.note else "")
        action = "booking.overbook" if request.overbook else "booking.create"
        log(action, customer=customer, booking=booking, details=details)
        outbox.booking_event(booking, outbox.BOOKING_CONFIRMED)
        calendar_changed()
        return booking

    return checked_write(write)


def _new_customer(details, log):
    customer = create_customer(details)
    fields = [field for field in ("name", "email", "phone") if getattr(details, field)]
    log("customer.create", customer=customer, details=", ".join(fields))
    return customer


def expect_version(booking, version):
    """Refuse at once a change based on an older version than the one loaded."""
    if version != booking.version:
        raise BookingChanged


def update_if_unchanged(booking, version, **changes):
    """Write `changes` only if the booking still has `version`; raise the version."""
    written = (
        Booking.update(version=Booking.version + 1, updated_at=utc_now(), **changes)
        .where((Booking.id == booking.id) & (Booking.version == version))
        .execute()
    )
    if written != 1:
        raise BookingChanged


def move_booking(booking, version, staff, start, now, log):
    """Move a confirmed booking to a free time of its service (with `staff`), with the
    same check as a new booking; the moved booking is no longer an overbooking."""
    expect_version(booking, version)
    if booking.status != CONFIRMED:
        raise NotAllowed("not_movable")
    changed = [name for name, differs in (
        ("starts_at", booking.start != start), ("staff", booking.staff_id != staff.id)
    ) if differs]

    def write():
        details = move_details(booking, start, staff.id)
        move_to(booking, version, staff, start, now, staff_rules(any_minute=True))
        log("booking.move", customer=booking.customer_id, booking=booking.id,
            details=details)
        if changed:
            moved_from = booking.starts_at.isoformat() + "Z" if "starts_at" in changed else None
            outbox.booking_event(booking, outbox.BOOKING_MOVED, version=version + 1,
                                 previous_start=moved_from)

    checked_write(write)


def move_to(booking, version, staff, start, now, rules):
    """Within a checked write: move the booking to `start` if that is free under
    `rules` (with `staff`; None: anyone free, its own staff member first) and the
    booking still has `version`. Returns the staff id it now has."""
    staff_id = free_staff_at(booking.service, staff, start, now, rules,
                             excluding=booking.id, prefer=booking.staff_id)
    update_if_unchanged(booking, version, staff=staff_id, overbooked=False,
                        **_spans(booking.service, start))
    calendar_changed()
    return staff_id


def move_details(booking, start, staff_id):
    """What a move changes, for the audit log: each field old → new (the time in UTC,
    to the minute, the staff member by id), or "unchanged"."""
    changes = []
    if booking.start != start:
        changes.append(f"starts_at: {utc_minute(booking.start)} → {utc_minute(start)}")
    if booking.staff_id != staff_id:
        changes.append(f"staff: {booking.staff_id} → {staff_id}")
    return "; ".join(changes) or "unchanged"


def utc_minute(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def cancel_booking(booking, version, reason, shared, log):
    """Cancel with a reason, told to the customer or not; the time becomes free."""
    expect_version(booking, version)
    if booking.status != CONFIRMED:
        raise NotAllowed("not_cancellable")
    with db.atomic():
        mark_cancelled(booking, version, reason, shared)
        told = "reason shared with the customer" if shared else "reason not shared"
        log("booking.cancel", customer=booking.customer_id, booking=booking.id,
            details=f"status: {booking.status} → {CANCELLED}; {told}")
        outbox.booking_event(booking, outbox.BOOKING_CANCELLED, version=version + 1)


def mark_cancelled(booking, version, reason="", shared=False):
    """Within a transaction: cancel the booking if it still has `version`."""
    update_if_unchanged(booking, version, status=CANCELLED, cancel_reason=reason,
                        cancel_reason_shared=shared)
    calendar_changed()


def set_status(booking, version, status, today, log):
    """Mark arrived, completed or no-show (from the appointment's day on), or back
    to confirmed."""
    if status not in STAFF_STATUSES:
        raise NotAllowed("unknown_status")
    expect_version(booking, version)
    if booking.status == CANCELLED:
        raise NotAllowed("cancelled")
    if status != CONFIRMED and booking.start.date() > today:
        raise NotAllowed("not_yet")
    if status == booking.status:
        return
    with db.atomic():
        update_if_unchanged(booking, version, status=status)
        log("booking.status", customer=booking.customer_id, booking=booking.id,
            details=f"status: {booking.status} → {status}")


def set_note(booking, version, note, log):
    """Replace the staff's internal note (never shown to the customer)."""
    expect_version(booking, version)
    with db.atomic():
        update_if_unchanged(booking, version, internal_note=note)
        log("booking.note", customer=booking.customer_id, booking=booking.id,
            details="internal_note")


def with_details():
    """The bookings, each with its customer, service and staff member, in one query."""
    return (
        Booking.select(Booking, Customer, Service, StaffMember)
        .join(Customer).switch(Booking)
        .join(Service).switch(Booking)
        .join(StaffMember)
    )


@dataclass(frozen=True, slots=True)
class CalendarBooking:
    """A booking as the calendar and the day list show it: only the columns shown,
    read as plain values (building whole model objects for every row of a busy day
    cost more than everything else on the page)."""

    id: int
    staff_id: int
    start: datetime  # aware, Helsinki
    end: datetime
    status: str
    overbooked: bool
    customer_name: str
    customer_phone: str
    service_names: tuple  # fi, sv, en
    staff_name: str

    def service_name(self, language):
        names = dict(zip(("fi", "sv", "en"), self.service_names, strict=True))
        return names.get(language) or self.service_names[0]


def _calendar_query(first, last, staff_ids):
    query = (
        Booking.select(
            Booking.id, Booking.staff, Booking.starts_at, Booking.ends_at, Booking.status,
            Booking.overbooked, Customer.name, Customer.phone, Service.name_fi,
            Service.name_sv, Service.name_en, StaffMember.name,
        )
        .join(Customer).switch(Booking)
        .join(Service).switch(Booking)
        .join(StaffMember)
        .where(
            (Booking.starts_at < last)
            & (Booking.starts_at > first - LONGEST_BOOKING)
            & (Booking.ends_at > first)
        )
    )
    if staff_ids is not None:
        query = query.where(Booking.staff.in_(staff_ids))
    return query.order_by(Booking.starts_at, StaffMember.name, Booking.id)


def bookings_between(first_day, last_day, staff_ids=None):
    """The bookings (cancelled too) that touch the days first..last, with their
    customer's name and phone, service and staff member, in one query (its SQL
    written once), in order of time, as CalendarBookings."""
    first = naive_utc(datetime.combine(first_day, time(), HELSINKI))
    last = naive_utc(datetime.combine(last_day + timedelta(days=1), time(), HELSINKI))
    staff_ids = None if staff_ids is None else list(staff_ids)
    params = [last, first - LONGEST_BOOKING, first, *(staff_ids or ())]
    rows = run_written(
        ("calendar bookings", None if staff_ids is None else len(staff_ids)),
        lambda: _calendar_query(first, last, staff_ids),
        params,
        (None, None, Booking.starts_at, Booking.ends_at, None, Booking.overbooked,
         None, None, None, None, None, None),
    )
    return [
        CalendarBooking(row[0], row[1], local(row[2]), local(row[3]), row[4], row[5],
                        row[6], row[7] or "", (row[8], row[9], row[10]), row[11])
        for row in rows
    ]


def overlapping(staff, start, service, excluding=None):
    """Active bookings of `staff` that a booking of `service` at `start` would
    overlap, buffers included: what staff see before they book anyway."""
    spans = _spans(service, start)
    query = (
        Booking.active()
        .select(Booking, Customer)
        .join(Customer)
        .where(
            (Booking.staff == staff)
            & (Booking.starts_at < spans["blocked_until"])
            & (Booking.starts_at > spans["starts_at"] - LONGEST_BOOKING)
            & (Booking.blocked_until > spans["starts_at"])
        )
        .order_by(Booking.starts_at)
    )
    if excluding is not None:
        query = query.where(Booking.id != excluding)
    return list(query)


def history(booking):
    """The audit log of a booking, oldest first, with who did each thing."""
    return list(
        AuditEntry.select(AuditEntry, User.id, User.name)
        .join(User, JOIN.LEFT_OUTER)
        .where(AuditEntry.booking == booking)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
