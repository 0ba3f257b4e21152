"""The one clock: Helsinki's date and time from one place, which a test can hold or move
and every page then follows; the field that gives stored times back aware."""

from datetime import UTC, datetime

from peewee import Model

import models
from engines.clock import HELSINKI, local, now, today
from models import UTCDateTimeField

# 00.30 on Sunday 29 March 2026 in Helsinki, still the 28th in UTC; the clocks go
# forward at 03.00 that night.
JUST_AFTER_MIDNIGHT = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)


def test_today_is_the_date_in_helsinki_not_in_utc(clock):
    clock.freeze(JUST_AFTER_MIDNIGHT)
    assert today().isoformat() == "2026-03-29"
    assert local(now()).strftime("%H.%M") == "00.30"
    assert local(JUST_AFTER_MIDNIGHT.replace(tzinfo=None)) == JUST_AFTER_MIDNIGHT


def test_a_moved_clock_moves_the_day_the_calendar_opens_on(staff_client, clock):
    clock.freeze(JUST_AFTER_MIDNIGHT)
    assert 'value="2026-03-29"' in staff_client.get("/staff/calendar/").text
    clock.shift(days=2)
    assert 'value="2026-03-31"' in staff_client.get("/staff/calendar/").text


def test_stored_times_come_back_aware_in_utc(app):
    class Moment(Model):
        at = UTCDateTimeField()

        class Meta:
            database = models.db

    summer_morning = datetime(2026, 7, 1, 9, 15, tzinfo=HELSINKI)
    with models.db.connection_context():
        Moment.create_table(temporary=True)
        Moment.create(at=summer_morning)
        Moment.create(at=datetime(2026, 7, 1, 6, 15))  # naive: already UTC
        stored = [moment.at for moment in Moment.select().order_by(Moment.id)]
        raw = models.db.execute_sql("SELECT at FROM moment ORDER BY id").fetchone()[0]
        Moment.drop_table(temporary=True)
    assert stored == [summer_morning, summer_morning]
    assert all(moment.tzinfo is UTC for moment in stored)
    assert str(raw).startswith("2026-07-01 06:15:00")
