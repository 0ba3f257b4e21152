"""The free times an app server keeps by the calendar's generation are never stale: every
kind of write that changes free times shows in the very next page, on this server and
on another one."""

import logging
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, time, timedelta

import pytest
from support import AINO, CLASSIC_60, EERO, HTMX, MATTI, Server, form_fields, next_weekday

import models
from engines.clock import HELSINKI
from engines.free_times import finnish_holidays
from models.analytics import settings as analytics_settings
from models.booking import customer_changes
from models.booking.bookings import Booking
from models.booking.staff_bookings import (
    StaffBookingRequest,
    cancel_booking,
    create_booking,
    move_booking,
)
from models.business import Business, settings
from models.business.catalogue import Service, StaffMember
from models.people.customers import Customer

TUESDAY = next_weekday(1)  # Aino works 9–17 with a break 12–12.30
SATURDAY = next_weekday(5)  # Aino does not work


def nothing_logged(*_, **__):
    return None


def start_param(day, hour, minute=0):
    start = datetime.combine(day, time(hour, minute), HELSINKI)
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def aware(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), HELSINKI)


def fragment(client, day=TUESDAY, staff=AINO, service=CLASSIC_60, headers=HTMX):
    response = client.get(f"/book/{service}?staff={staff}&day={day.isoformat()}",
                          headers=headers)
    assert response.status_code == 200, response.text
    return response.text


def offered(client, day, hour, minute=0, **options):
    return f"start={start_param(day, hour, minute)}" in fragment(client, day, **options)


def staff_booking(day, hour, minute=0):
    with models.db.connection_context():
        return create_booking(StaffBookingRequest(
            service=Service.get_by_id(CLASSIC_60), staff=StaffMember.get_by_id(AINO),
            start=aware(day, hour, minute), customer=Customer.get_by_id(MATTI),
        ), datetime.now(UTC), nothing_logged)


def aino():
    return StaffMember.get_by_id(AINO)


def test_a_time_booked_online_is_gone_from_the_next_fragment(client, shop):
    assert offered(client, TUESDAY, 10)
    form = form_fields(client.get(f"/book/{CLASSIC_60}/details", query_string={
        "staff": str(AINO), "start": start_param(TUESDAY, 10)}).text)
    response = client.post(f"/book/{CLASSIC_60}/details", data={
        **form, "name": "Liisa Laine", "email": "liisa@example.com", "phone": "040 765 4321"})
    assert response.status_code == 303
    assert not offered(client, TUESDAY, 10)


def test_a_time_booked_by_staff_is_gone_from_the_next_fragment(client, shop):
    assert offered(client, TUESDAY, 14)
    staff_booking(TUESDAY, 14)
    assert not offered(client, TUESDAY, 14)


def test_a_booking_moved_by_staff_frees_its_time_and_takes_the_new_one(client, shop):
    booking = staff_booking(TUESDAY, 9)
    assert not offered(client, TUESDAY, 9)
    assert offered(client, TUESDAY, 15)
    with models.db.connection_context():
        move_booking(Booking.get_by_id(booking.id), 1, aino(), aware(TUESDAY, 15),
                     datetime.now(UTC), nothing_logged)
    assert offered(client, TUESDAY, 9)
    assert not offered(client, TUESDAY, 15)


def test_a_booking_cancelled_by_staff_frees_its_time(client, shop):
    booking = staff_booking(TUESDAY, 9)
    assert not offered(client, TUESDAY, 9)
    with models.db.connection_context():
        cancel_booking(Booking.get_by_id(booking.id), 1, "", False, nothing_logged)
    assert offered(client, TUESDAY, 9)


def test_the_customers_own_move_and_cancellation_show_at_once(client, shop):
    booking = staff_booking(TUESDAY, 9)
    assert offered(client, TUESDAY, 13)
    with models.db.connection_context():
        moved = customer_changes.move(Booking.get_by_id(booking.id), 1, aino(),
                                      aware(TUESDAY, 13), datetime.now(UTC))
    assert offered(client, TUESDAY, 9)
    assert not offered(client, TUESDAY, 13)
    with models.db.connection_context():
        customer_changes.cancel(Booking.get_by_id(moved.id), moved.version,
                                datetime.now(UTC))
    assert offered(client, TUESDAY, 13)


def test_new_working_hours_and_breaks_show_at_once(client, shop):
    assert not offered(client, SATURDAY, 10)
    with models.db.connection_context():
        week = settings.week_of(aino())
        week[5] = [settings.DayRange(time(9), time(14))]
        assert settings.set_week(aino(), week)
    assert offered(client, SATURDAY, 10)
    with models.db.connection_context():
        week[5].append(settings.DayRange(time(10), time(11), is_break=True))
        assert settings.set_week(aino(), week)
    assert not offered(client, SATURDAY, 10)


def test_time_off_takes_its_times_and_gives_them_back(client, shop):
    assert offered(client, TUESDAY, 10)
    with models.db.connection_context():
        absence = settings.add_time_off(aino(), TUESDAY, start=time(9), end=time(12))
    assert not offered(client, TUESDAY, 10)
    with models.db.connection_context():
        assert settings.remove_time_off(aino(), absence.id)
    assert offered(client, TUESDAY, 10)


def test_extra_hours_show_and_go(client, shop):
    assert not offered(client, SATURDAY, 11)
    with models.db.connection_context():
        extra = settings.add_extra_hours(aino(), SATURDAY, time(10), time(14), date.today())
    assert offered(client, SATURDAY, 11)
    with models.db.connection_context():
        assert settings.remove_extra_hours(aino(), extra.id)
    assert not offered(client, SATURDAY, 11)


def test_a_closed_day_and_the_day_opened_again(client, shop):
    assert offered(client, TUESDAY, 10)
    with models.db.connection_context():
        closed = settings.add_closed_day(TUESDAY, "", date.today())
    assert not offered(client, TUESDAY, 10)
    with models.db.connection_context():
        assert settings.remove_closed_day(closed.id) == TUESDAY
    assert offered(client, TUESDAY, 10)


def test_a_public_holiday_opened_and_closed_again(client, shop):
    with models.db.connection_context():
        settings.update_business({"horizon_days": 730})
    today = date.today()
    holiday = min(day for day in finnish_holidays([today.year + 1])
                  if day.weekday() in range(5) and day > today + timedelta(days=3))
    hour = 10  # Aino works every weekday from 9
    assert not offered(client, holiday, hour, staff="any")
    with models.db.connection_context():
        assert settings.set_holiday_open(holiday, True)
    assert offered(client, holiday, hour, staff="any")
    with models.db.connection_context():
        assert settings.set_holiday_open(holiday, False)
    assert not offered(client, holiday, hour, staff="any")


def test_a_longer_service_and_one_without_the_staff_member(client, shop):
    assert offered(client, TUESDAY, 16)  # 16.00–17.00, the end of the day
    with models.db.connection_context():
        service = Service.get_by_id(CLASSIC_60)
        settings.save_service(service, {"duration_minutes": 90}, [AINO, EERO])
    assert not offered(client, TUESDAY, 16)
    assert "Aino Esimerkki" in fragment(client, staff="any")
    with models.db.connection_context():
        settings.save_service(Service.get_by_id(CLASSIC_60), {}, [EERO])
    assert "Aino Esimerkki" not in fragment(client, staff="any")


def test_booking_rules_change_the_times_at_once(client, shop):
    assert offered(client, TUESDAY, 9, 15)
    with models.db.connection_context():
        settings.update_business({"slot_step_minutes": 60})
    assert not offered(client, TUESDAY, 9, 15)
    assert offered(client, TUESDAY, 10)


def test_a_renamed_staff_member_shows_at_once(client, shop):
    assert "Aino Esimerkki" in fragment(client)
    with models.db.connection_context():
        member = aino()
        settings.save_staff_member(member, {"name": "Aino Uusinimi"},
                                   settings.service_ids_of(member))
    assert "Aino Uusinimi" in fragment(client)


def test_the_page_and_the_fragment_each_language_kept_apart(client, shop):
    page = fragment(client, headers={})
    assert "<html" in page and "<html" not in fragment(client)
    client.set_cookie("lang", "en")
    assert 'lang="en"' in fragment(client, headers={})
    client.set_cookie("lang", "sv")
    assert 'lang="sv"' in fragment(client, headers={})


class StatementsCounted(logging.Handler):
    """The statements peewee runs (it logs each at DEBUG) while it is installed."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        if record.name == "peewee":  # not the pool's
            self.count += 1

    def __enter__(self):
        logger = logging.getLogger("peewee")
        self.level = logger.level
        logger.addHandler(self)
        logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *_):
        logger = logging.getLogger("peewee")
        logger.removeHandler(self)
        logger.setLevel(self.level)


def test_a_kept_fragment_reads_the_database_once(client, shop):
    fragment(client)
    with StatementsCounted() as statements:
        fragment(client)
    assert statements.count == 1


def test_the_business_and_the_statistics_settings_show_at_once_on_a_kept_page(client, shop):
    page = fragment(client, headers={})
    with models.db.connection_context():
        Business.update(name="Uusi Nimi Oy").execute()
        analytics_settings.save(12, False, ask_consent=not analytics_settings.current()
                                .ask_consent)
    again = fragment(client, headers={})
    assert "Uusi Nimi Oy" in again and "Uusi Nimi Oy" not in page


def test_a_repeated_view_is_a_304_until_the_calendar_changes(client, shop):
    url = f"/book/{CLASSIC_60}?staff={AINO}&day={TUESDAY.isoformat()}"
    first = client.get(url, headers=HTMX)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert {"HX-Request", "Accept-Language"} <= set(first.vary)
    again = client.get(url, headers={**HTMX, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200  # the page
    staff_booking(TUESDAY, 14)
    changed = client.get(url, headers={**HTMX, "If-None-Match": etag})
    assert changed.status_code == 200
    assert f"start={start_param(TUESDAY, 14)}" not in changed.text
    assert changed.headers["ETag"] != etag


def test_the_free_times_follow_the_minimum_notice_minute_by_minute(client, shop, clock):
    """A kept page is for its minute: a minute later the time now too close is gone."""
    with models.db.connection_context():
        settings.update_business({"min_notice_minutes": 60})
    start = aware(TUESDAY, 10)
    clock.freeze(start - timedelta(minutes=60))
    assert offered(client, TUESDAY, 10)
    clock.freeze(start - timedelta(minutes=60) + timedelta(seconds=1))
    assert not offered(client, TUESDAY, 10)


@pytest.fixture
def two_servers(shop, database_url):
    models.db.obj.close_all()
    first = Server(database_url, workers=1, threads=4)
    try:
        second = Server(database_url, workers=1, threads=4)
    except Exception:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


def get(base, path):
    with urllib.request.urlopen(urllib.request.Request(base + path, headers=HTMX),
                                timeout=30) as response:
        return response.read().decode()


def book_online(base, start, number):
    form = form_fields(get(base, f"/book/{CLASSIC_60}/details?staff={AINO}&start={start}"))
    body = urllib.parse.urlencode({
        **form, "name": f"Asiakas {number}", "email": f"asiakas{number}@example.com",
        "phone": "040 765 4321"}).encode()
    request = urllib.request.Request(base + f"/book/{CLASSIC_60}/details", data=body,
                                     headers={"Origin": base})
    opener = urllib.request.build_opener(NoRedirects)
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as answer:
        return answer.code
    return None


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_):
        return None


def test_two_app_servers_never_offer_a_time_the_other_booked(two_servers):
    """Each server keeps the day's fragment; a booking committed on one is never
    offered by the other afterwards, and the one that booked never offers it either."""
    path = f"/book/{CLASSIC_60}?staff={AINO}&day={TUESDAY.isoformat()}"
    starts = [start_param(TUESDAY, hour, minute) for hour, minute in
              ((9, 0), (10, 30), (13, 0), (14, 30), (16, 0))]
    for number, start in enumerate(starts):
        booking_server, other = two_servers[number % 2], two_servers[1 - number % 2]
        for server in two_servers:  # both keep the fragment with the time in it
            assert f"start={start}" in get(server.url, path)
        assert book_online(booking_server.url, start, number) == 303
        assert f"start={start}" not in get(other.url, path)
        assert f"start={start}" not in get(booking_server.url, path)


def test_a_kept_page_comes_compressed_the_same_each_time(client, shop):
    import gzip

    plain = fragment(client)
    for _ in range(2):
        response = client.get(f"/book/{CLASSIC_60}?staff={AINO}&day={TUESDAY.isoformat()}",
                              headers={**HTMX, "Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data).decode() == plain
