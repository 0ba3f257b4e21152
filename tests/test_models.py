"""The data layer on its own: schema, the personal-data declaration, the rules."""

from datetime import UTC, datetime, timedelta

import pytest
from peewee import IntegrityError
from playhouse.schema_diff import diff_models

import models
from engines import clock
from models.analytics.settings import KEEP_MONTHS
from models.booking.bookings import Booking
from models.business.catalogue import Service, StaffMember
from models.people.customers import (
    Customer,
    InvalidValue,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
)
from models.privacy.declaration import (
    ANALYTICS_COUNTS,
    ANALYTICS_VISITS,
    CATEGORIES,
    DECLARED,
    VISITOR_CATEGORIES,
    LegalBasis,
    PersonalData,
    undeclared_fields,
)
from models.schema import DATABASE_ONLY_INDEXES, MODELS


def test_every_field_of_every_model_is_declared_personal_or_not():
    problems = {model.__name__: sorted(undeclared_fields(model)) for model in MODELS}
    assert {name: fields for name, fields in problems.items() if fields} == {}


def test_declaration_names_no_field_that_does_not_exist():
    for model in MODELS:
        declared = set(model.personal_data.fields) | model.personal_data.not_personal
        assert declared <= set(model._meta.fields), model.__name__


def test_a_new_undeclared_field_is_caught():
    from peewee import CharField

    class Sneaky(models.BaseModel):
        name = CharField()
        nickname = CharField()
        personal_data = PersonalData({}, not_personal=("id", "name"))

    assert undeclared_fields(Sneaky) == {"nickname"}


def test_customer_contact_fields_are_personal_data_with_purpose_and_retention():
    declaration = Customer.personal_data.fields
    for field in ("name", "email", "phone", "street", "postal_code", "town"):
        category = declaration[field]
        assert category in CATEGORIES
        assert category.purposes and category.retention.months > 0


def test_statistics_hash_and_its_salt_are_personal_on_consent_for_48_hours():
    from models.analytics.visits import Hit, Salt

    for model, name in ((Hit, "visitor"), (Hit, "path"), (Salt, "salt")):
        category = model.personal_data.fields[name]
        assert category is ANALYTICS_VISITS and category in DECLARED
    assert ANALYTICS_VISITS.basis is LegalBasis.CONSENT
    assert ANALYTICS_VISITS.retention.months == 0 and not ANALYTICS_VISITS.retention.changeable
    assert ANALYTICS_COUNTS.basis is LegalBasis.LEGITIMATE_INTEREST
    assert ANALYTICS_COUNTS.retention.months == KEEP_MONTHS
    assert not set(VISITOR_CATEGORIES) & set(CATEGORIES)


def test_migrated_schema_matches_the_models(app):
    with models.db.connection_context():
        diff = diff_models(models.db.obj, list(MODELS))
    assert diff.create_tables == diff.add_columns == diff.drop_columns == []
    assert diff.add_indexes == []
    assert {index.name for index in diff.drop_indexes} <= DATABASE_ONLY_INDEXES


def test_init_db_is_idempotent(runner):
    assert "Tietokanta on ajan tasalla (nyt tehtiin 0 muutosta)." in runner.invoke(
        args=["init-db"]).output


def test_demo_command_adds_demo_once(runner):
    assert "Esittelyyritys on lisätty." in runner.invoke(args=["demo"]).output
    assert "Tietokannassa on jo yritys, joten esittelyä ei lisätty." in runner.invoke(
        args=["demo"]).output
    with models.db.connection_context():
        assert Service.select().count() == 4
        assert StaffMember.select().count() == 2


@pytest.mark.parametrize(("typed", "stored"), [
    ("040 123 4567", "+358401234567"),
    ("+358 40 123 4567", "+358401234567"),
    ("(09) 123 4567", "+35891234567"),
    ("+46 70 123 45 67", "+46701234567"),
])
def test_phone_numbers_are_stored_as_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "abc", "040", "+358 40 123 4567 8888 999"])
def test_phone_that_is_not_one_is_refused(typed):
    with pytest.raises(InvalidValue):
        normalise_phone(typed)


def test_email_is_normalised_without_network():
    assert normalise_email("Maija.Meikalainen@Example.FI") == "maija.meikalainen@example.fi"
    with pytest.raises(InvalidValue):
        normalise_email("maija@@example.fi")


def test_postal_code_has_five_digits():
    assert normalise_postal_code(" 00100 ") == "00100"
    for typed in ("0010", "001000", "oo100"):
        with pytest.raises(InvalidValue):
            normalise_postal_code(typed)


def _booking(staff, start, minutes=60, status="confirmed"):
    customer, _ = Customer.get_or_create(name="Testi", email="testi@example.com")
    return Booking.create(
        customer=customer, service=1, staff=staff, starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        blocked_until=start + timedelta(minutes=minutes + 15),
        price_cents=6500, status=status,
    )


def test_database_itself_refuses_overlapping_bookings(shop):
    """Even a write that skips the application's check cannot double book."""
    start = datetime(2030, 1, 8, 8, 0)
    with models.db.connection_context():
        _booking(1, start)
        with pytest.raises(IntegrityError), models.db.atomic():
            _booking(1, start + timedelta(minutes=30))
        with pytest.raises(IntegrityError), models.db.atomic():
            _booking(1, start + timedelta(minutes=70))  # inside the buffer
        _booking(2, start)  # another staff member
        _booking(1, start + timedelta(minutes=75))  # right after the buffer
        _booking(1, start, status="cancelled")  # cancelled ones do not count


def test_cancelling_frees_the_time_in_the_database(shop):
    start = datetime(2030, 1, 9, 8, 0)
    with models.db.connection_context():
        first = _booking(1, start)
        Booking.update(status="cancelled").where(Booking.id == first.id).execute()
        _booking(1, start)
        with pytest.raises(IntegrityError), models.db.atomic():
            Booking.update(status="confirmed").where(Booking.id == first.id).execute()


def test_utc_now_is_naive_utc():
    now = clock.utc_now()
    assert now.tzinfo is None
    assert abs(now - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


@pytest.mark.parametrize(("stored", "shown"), [
    ("+358401234567", "040 123 4567"),
    ("+35891234567", "09 123 4567"),
    ("+3584571234567", "045 7123 4567"),
    ("+46701234567", "+46 70 123 45 67"),
    ("", ""),
])
def test_phone_numbers_are_shown_the_finnish_way(stored, shown):
    from models.people.customers import display_phone

    assert display_phone(stored) == shown


def test_privacy_page_names_every_category_and_how_long_it_is_kept(client, shop):
    client.set_cookie("lang", "en")
    page = client.get("/privacy").text
    assert "<strong></strong>" not in page
    for name in ("Contact requests you send us", "Records of the e-mail we send you"):
        assert name in page
    assert "Kept for 12 months after the matter is closed." in page
    assert "Kept for 3 months after sending." in page
