"""Changes a customer makes to their own booking through its link: cancelling it, or
moving it to another free time, both until the cancellation deadline.

They are written the way staff changes are (staff_bookings): only if the booking still
has the version the customer saw, a move checked and written in one write transaction
under the online booking rules. Each change writes its audit entry and queues its
e-mails (the customer's confirmation, the staff's notices) in the same transaction.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from engines.clock import naive_utc
from models import db
from models.booking.bookings import CANCELLED, COMPLETED, CONFIRMED, NO_SHOW, Booking
from models.booking.schedule import SlotTaken
from models.booking.staff_bookings import (
    BookingChanged,
    NotAllowed,
    checked_write,
    expect_version,
    mark_cancelled,
    move_details,
    move_to,
)
from models.business import Business
from models.messages import outbox
from models.privacy.audit import record

# What the booking's own page offers, by the booking's state and the time.
OPEN = "open"  # cancel or move online
TOO_LATE = "too_late"  # past the deadline: only by phone or e-mail
PASSED = "passed"  # the appointment is over
# CANCELLED: cancelled, by the customer or by staff

# Said in the audit log instead of a user: who made the change, never who they are.
BY_CUSTOMER = "by the customer via the booking link"


def change_deadline(start, business):
    """Until when a customer may cancel or move an appointment at `start` themselves:
    one booked later than that can be changed only by the staff."""
    return start - timedelta(hours=business.cancellation_hours)


@dataclass(frozen=True)
class Standing:
    """Where a booking stands for its customer at a moment."""

    state: str  # OPEN, TOO_LATE, PASSED or CANCELLED
    deadline: datetime  # aware, in Helsinki

    @property
    def may_change(self):
        return self.state == OPEN


def standing(booking, now, business):
    deadline = change_deadline(booking.start, business)
    if booking.status == CANCELLED:
        state = CANCELLED
    elif now >= booking.end or booking.status in (COMPLETED, NO_SHOW):
        state = PASSED
    elif booking.status != CONFIRMED or now >= deadline:
        state = TOO_LATE
    else:
        state = OPEN
    return Standing(state, deadline)


def refusal(booking, now, business, moving=False):
    """Why the customer may not cancel (or move) the booking now, or None."""
    state = standing(booking, now, business).state
    if state != OPEN:
        return state
    if moving and not booking.service.active:
        return "service_withdrawn"
    return None


def _allowed(booking, version, now, business, moving=False):
    """Refuse a change the booking's state forbids (which says more than that its
    version is not the one seen), or one based on an older version."""
    reason = refusal(booking, now, business, moving)
    if reason is not None:
        raise NotAllowed(reason)
    expect_version(booking, version)


def cancel(booking, version, now, ip=""):
    """Cancel the booking at its customer's request, if it still has `version` and
    the deadline has not passed; raises BookingChanged or NotAllowed (its code the
    state that forbids it)."""
    _allowed(booking, version, now, Business.current())
    with db.atomic():
        mark_cancelled(booking, version)
        record("booking.cancel", customer=booking.customer_id, booking=booking.id,
               details=f"{BY_CUSTOMER}; status: {CONFIRMED} → {CANCELLED}", ip=ip)
        outbox.booking_event(booking, outbox.BOOKING_CANCELLED, by_customer=True,
                             version=version + 1)


def move(booking, version, staff, start, now, ip=""):
    """Move the booking to `start` (aware) with `staff` (None: anyone free, its own
    staff member first), under the online booking rules, if it still has `version`
    and the deadline has not passed. Returns the moved booking; raises BookingChanged,
    NotAllowed, SlotTaken or TimeNotOffered.

    A move is the change of `version` to that time and person: every copy of one (a
    double click, the form sent again) gets the booking as the first copy moved it,
    where a copy that lost to it would be told the booking had changed."""
    try:
        return _move(booking, version, staff, start, now, ip)
    except (BookingChanged, NotAllowed, SlotTaken):
        moved = _moved_by_a_copy(booking, version, staff, start)
        if moved is None:
            raise
        return moved


def _move(booking, version, staff, start, now, ip):
    business = Business.current()
    _allowed(booking, version, now, business, moving=True)
    previous = {"previous_start": booking.starts_at.isoformat() + "Z",
                "previous_staff_id": booking.staff_id}

    def write():
        staff_id = move_to(booking, version, staff, start, now, business.booking_rules)
        record("booking.move", customer=booking.customer_id, booking=booking.id,
               details=f"{BY_CUSTOMER}; {move_details(booking, start, staff_id)}", ip=ip)
        moved = Booking.get_by_id(booking.id)
        outbox.booking_event(moved, outbox.BOOKING_MOVED, by_customer=True,
                             version=moved.version, **previous)
        return moved

    return checked_write(write)


def _moved_by_a_copy(booking, version, staff, start):
    """The booking, read again in a transaction of its own, if the change right after
    `version` moved it to `start` with `staff` (None: anyone)."""
    with db.atomic():
        now_held = Booking.get_or_none(Booking.id == booking.id)
    if (now_held is not None and version is not None and now_held.version == version + 1
            and now_held.status == CONFIRMED and now_held.starts_at == naive_utc(start)
            and (staff is None or now_held.staff_id == staff.id)):
        return now_held
    return None
