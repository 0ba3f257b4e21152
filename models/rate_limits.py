"""The counts behind the site's throttling (logins, the public forms, the secret links),
kept in the site's own database so that every app server process counts the same
attempts.

`DatabaseStorage` is a storage of the `limits` library (the one Flask-Limiter counts
with), registered for the URI `database://`: whichever database the site uses. Each
attempt in a window is a row under a hash of its key (the key names an address or an
e-mail typed, which the table need not show), with the moment it stops counting. A
check and its new row are one transaction that no other process can interleave: on
SQLite the write lock is taken at the start, on PostgreSQL a lock on the key.
"""

import hashlib
import time
from contextlib import contextmanager

from limits.storage import MovingWindowSupport, Storage
from peewee import CharField, DatabaseError, DoubleField, fn

from models.privacy.declaration import AUDIT, PersonalData

from . import BaseModel, db, is_sqlite, write_transaction

# Expired rows are cleared at most this often by each process.
SWEEP_EVERY = 60
# Any constant: PostgreSQL's lock that lets one process at a time clear expired rows.
SWEEP_LOCK = 5_310_423


class RateLimitEntry(BaseModel):
    key_hash = CharField(max_length=64)
    # Seconds since the epoch, as `limits` counts time.
    expires_at = DoubleField(index=True)

    personal_data = PersonalData({"key_hash": AUDIT, "expires_at": AUDIT},
                                 not_personal=("id",))

    class Meta:
        indexes = ((("key_hash", "expires_at"), False),)


def _hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage, MovingWindowSupport):
    """Counts in the site's database (`database://`), for the fixed and the moving
    window strategies."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.swept_at = 0.0

    @property
    def base_exceptions(self):
        return DatabaseError

    @staticmethod
    def _live(key, now):
        return (RateLimitEntry.key_hash == _hash(key)) & (RateLimitEntry.expires_at > now)

    def _window(self, key, now):
        """How many entries of `key` still count at `now`, and when the first of them
        stops counting (None when none does)."""
        count, first = (RateLimitEntry.select(fn.COUNT(RateLimitEntry.id),
                                              fn.MIN(RateLimitEntry.expires_at))
                        .where(self._live(key, now)).tuples().get())
        return count, first

    @contextmanager
    def _locked(self, key):
        with write_transaction():
            if not is_sqlite():
                db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (int(_hash(key)[:15], 16),))
            yield

    def _add(self, key, expires_at, amount):
        RateLimitEntry.insert_many(
            [{"key_hash": _hash(key), "expires_at": expires_at}] * amount).execute()

    def incr(self, key, expiry, amount=1):
        """A fixed window: every entry of the window expires when its first does."""
        now = time.time()
        with self._locked(key):
            count, first = self._window(key, now)
            self._add(key, first or now + expiry, amount)
        self._sweep(now)
        return count + amount

    def get(self, key):
        return self._window(key, time.time())[0]

    def get_expiry(self, key):
        now = time.time()
        return self._window(key, now)[1] or now

    def acquire_entry(self, key, limit, expiry, amount=1):
        """A moving window: an entry counts for `expiry` seconds after it was made."""
        if amount > limit:
            return False
        now = time.time()
        with self._locked(key):
            count, _ = self._window(key, now)
            if count + amount > limit:
                return False
            self._add(key, now + expiry, amount)
        self._sweep(now)
        return True

    def get_moving_window(self, key, limit, expiry):
        now = time.time()
        count, first = self._window(key, now)
        if not count:
            return now, 0
        return first - expiry, count

    def check(self):
        try:
            db.execute_sql("SELECT 1")
        except DatabaseError:
            return False
        return True

    def reset(self):
        return RateLimitEntry.delete().execute()

    def clear(self, key):
        RateLimitEntry.delete().where(RateLimitEntry.key_hash == _hash(key)).execute()

    def _sweep(self, now):
        if now - self.swept_at >= SWEEP_EVERY:
            self.sweep(now)

    def sweep(self, now):
        """Delete the entries that no longer count, so that no address or e-mail
        stays in the table past its window. One process at a time does it."""
        self.swept_at = now
        with write_transaction():
            if not is_sqlite():
                free = db.execute_sql("SELECT pg_try_advisory_xact_lock(%s)",
                                      (SWEEP_LOCK,)).fetchone()[0]
                if not free:
                    return 0
            return RateLimitEntry.delete().where(RateLimitEntry.expires_at <= now).execute()
