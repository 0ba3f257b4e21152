"""Faster look-ups: the no-overlap triggers read only the bookings near the new one,
and on PostgreSQL the register search uses trigram indexes."""
from peewee import *

# Must match models.booking.bookings.LONGEST_BOOKING: no booking lasts a day with its buffer.
TRIGGER = (
    "CREATE TRIGGER booking_no_overlap_{event} BEFORE {EVENT} "
    "ON booking WHEN NEW.status <> 'cancelled' AND NOT NEW.overbooked AND EXISTS ("
    "SELECT 1 FROM booking AS other WHERE other.staff_id = NEW.staff_id "
    "AND other.id IS NOT NEW.id AND other.status <> 'cancelled' "
    "AND NOT other.overbooked "
    "AND other.starts_at < NEW.blocked_until "
    "AND other.starts_at > datetime(NEW.starts_at, '-1 day') "
    "AND other.blocked_until > NEW.starts_at) "
    "BEGIN SELECT RAISE(ABORT, 'booking_no_overlap'); END"
)
SEARCHED = ("name", "email", "phone")


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in SEARCHED:
            db.execute_sql(
                f"CREATE INDEX customer_{column}_trigram ON customer "
                f"USING gin (lower({column}) gin_trgm_ops)"
            )
        return
    for event in ("insert", "update"):
        db.execute_sql(f"DROP TRIGGER IF EXISTS booking_no_overlap_{event}")
        db.execute_sql(TRIGGER.format(event=event, EVENT=event.upper()))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for column in SEARCHED:
            db.execute_sql(f"DROP INDEX customer_{column}_trigram")
