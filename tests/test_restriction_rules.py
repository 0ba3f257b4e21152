"""The restriction of processing (GDPR Art 18) as the model functions enforce it, with
no view in between: a restricted customer's data is kept but not changed, noted, merged
or booked for by staff, and the worker sends them nothing but the answers to their
requests about their data."""

from datetime import datetime, time

import pytest
from support import MAIJA, MATTI, next_weekday

import models
from engines.clock import HELSINKI, now, utc_now
from models import NotAllowed
from models.booking.staff_bookings import StaffBookingRequest, create_booking
from models.business.catalogue import Service, StaffMember
from models.people.customers import Customer, CustomerDetails, refuse_if_restricted
from models.people.notes import CustomerNote
from models.people.register import add_note, fingerprint, merge_customers, update_customer


@pytest.fixture
def restricted(shop):
    """Matti's data restricted; Maija's in use."""
    with models.db.connection_context():
        Customer.update(restricted_at=utc_now()).where(Customer.id == MATTI).execute()
    with models.db.connection_context():
        yield Customer.get_by_id(MATTI)


def matti_details(name="Matti Muutettu"):
    return CustomerDetails(name, "matti@asiakas.example", "+358501234567")


def test_restricted_customers_details_are_not_changed(restricted):
    with pytest.raises(NotAllowed) as refusal, models.write_transaction():
        update_customer(MATTI, matti_details(), "fi", fingerprint(restricted))
    assert refusal.value.code == "restricted"
    assert Customer.get_by_id(MATTI).name == "Matti Meikäläinen"


def test_restricted_customers_unchanged_details_are_refused_too(restricted):
    same = CustomerDetails(restricted.name, restricted.email, restricted.phone)
    with pytest.raises(NotAllowed):
        update_customer(MATTI, same, restricted.language, fingerprint(restricted))


def test_customer_restricted_after_the_form_was_read_is_still_refused(shop):
    with models.db.connection_context():
        read_before = Customer.get_by_id(MATTI)
        Customer.update(restricted_at=utc_now()).where(Customer.id == MATTI).execute()
        with pytest.raises(NotAllowed):
            update_customer(MATTI, matti_details(), "fi", fingerprint(read_before))
        with pytest.raises(NotAllowed):
            add_note(read_before, None, "Met at the counter")
        assert Customer.get_by_id(MATTI).name == "Matti Meikäläinen"
        assert CustomerNote.select().count() == 0


def test_no_note_is_added_for_a_restricted_customer(restricted):
    with pytest.raises(NotAllowed) as refusal, models.write_transaction():
        add_note(restricted, None, "Visited", confidential=True)
    assert refusal.value.code == "restricted"
    assert CustomerNote.select().where(CustomerNote.customer == MATTI).count() == 0


@pytest.mark.parametrize(("kept", "removed"), [(MATTI, MAIJA), (MAIJA, MATTI)])
def test_a_restricted_customer_is_merged_neither_way(restricted, kept, removed):
    with pytest.raises(NotAllowed) as refusal, models.write_transaction():
        merge_customers(kept, removed)
    assert refusal.value.code == "restricted"
    assert Customer.select().where(Customer.id.in_([MATTI, MAIJA])).count() == 2


def test_staff_book_for_no_restricted_customer(restricted):
    start = datetime.combine(next_weekday(1), time(10), tzinfo=HELSINKI)
    request = StaffBookingRequest(service=Service.get_by_id(1),
                                  staff=StaffMember.get_by_id(1), start=start,
                                  customer=restricted, overbook=True)
    with pytest.raises(NotAllowed) as refusal:
        create_booking(request, now(), log=lambda *args, **kwargs: None)
    assert refusal.value.code == "restricted"


def test_the_customers_in_use_pass_and_their_writes_are_done(restricted):
    maija = Customer.get_by_id(MAIJA)
    refuse_if_restricted(maija, MAIJA)
    add_note(maija, None, "Prefers mornings")
    saved, changed = update_customer(MAIJA, CustomerDetails(
        "Maija Muutettu", maija.email, maija.phone), maija.language, fingerprint(maija))
    assert saved.name == "Maija Muutettu" and changed == ["name"]
    with pytest.raises(NotAllowed):
        refuse_if_restricted(maija, restricted)


def test_lifting_the_restriction_lets_the_writes_through(restricted):
    Customer.update(restricted_at=None).where(Customer.id == MATTI).execute()
    add_note(restricted, None, "Visited")
    assert CustomerNote.select().where(CustomerNote.customer == MATTI).count() == 1
