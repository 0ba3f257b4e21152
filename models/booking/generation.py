"""The calendar's generation: one row that every write which can change the free times
moves on, inside that write's own transaction.

A page of free times computed when the generation was G is right for as long as the
generation is still G, so an app server may keep what it computed, keyed by the
generation, and a request asks the database only for the one row. The row lives in the
database, so the several app servers of one site see the same generation.

The generation is a counter (for people and the logs) and a random stamp written with
it: a database restored from a backup, or emptied and filled again, may come back to a
counter an app server has seen with other data, never to a stamp it has seen with other
data, since a stamp is written in the same transaction as the state it names.
"""

import secrets
import threading
from collections import OrderedDict
from datetime import timedelta

from peewee import BigIntegerField, CharField

from models import BaseModel, db, read_scope
from models.privacy.declaration import PersonalData
from models.written import execute_written

ROW_ID = 1


class CalendarGeneration(BaseModel):
    number = BigIntegerField(default=0)
    stamp = CharField(max_length=16, default="")

    personal_data = PersonalData({}, not_personal=("id", "number", "stamp"))


def calendar_changed():
    """Within the transaction of a write that can change free times: move the
    generation on. Called last in the write, so the row is locked only until commit
    (every writer takes the same row; PostgreSQL makes them queue for it there)."""
    stamp = secrets.token_hex(8)
    updated = execute_written(
        ("move the generation on",),
        lambda: CalendarGeneration.update(number=CalendarGeneration.number + 1, stamp=stamp)
        .where(CalendarGeneration.id == ROW_ID),
        [1, stamp, ROW_ID]).rowcount
    if not updated:  # a database emptied since it was built: the row is made again
        (CalendarGeneration.insert(id=ROW_ID, number=1, stamp=stamp)
         .on_conflict(conflict_target=[CalendarGeneration.id],
                      update={CalendarGeneration.number: CalendarGeneration.number + 1,
                              CalendarGeneration.stamp: stamp})
         .execute())


GENERATION_SQL = 'SELECT "number", "stamp" FROM "calendar_generation" WHERE "id" = 1'


SCOPE_KEY = "calendar generation"


def current_generation():
    """The generation now committed, as "number-stamp", in one look-up by primary key
    (its SQL written once, not built by peewee on every request); None when the row is
    missing, and then nothing may be kept by it. A request that writes nothing reads it
    once (models.read_scope, models.public_state): what it computes after is at least
    as new."""
    return read_scope.once(SCOPE_KEY, _committed_generation)


def _committed_generation():
    row = db.execute_sql(GENERATION_SQL).fetchone()
    if row is None or not row[1]:
        return None
    return f"{row[0]}-{row[1]}"


class BoundedCache:
    """A dictionary of at most `size` entries, the least recently used dropped first;
    safe to share between the threads of one process."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()
        CACHES.append(self)

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


CACHES = []


def clear_caches():
    """Forget everything kept by generation in this process (a test that builds its
    database anew starts from the same stamp as the one before it)."""
    for cache in CACHES:
        cache.clear()


def whole_minute(moment):
    """`moment` rounded up to the whole minute. Every start time, notice and step is a
    whole number of minutes, so the free times at this minute are those of every
    moment of the minute before it: one computation serves them all."""
    rounded = moment.replace(second=0, microsecond=0)
    return rounded if rounded == moment else rounded + timedelta(minutes=1)
