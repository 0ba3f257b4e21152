"""Vuoro's data: peewee models and the rules that keep their data right.

Nothing in this package imports Flask, so the CLI, the tests and the benchmarks use it
directly. The database is chosen at run time by `open_database(url)`.
"""

import fcntl
import hashlib
import hmac
import os
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import peewee
from peewee import DatabaseProxy, DateTimeField, Model, OperationalError, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from engines.clock import naive_utc

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10_000,
    # Deleted rows are overwritten with zeros, not left readable in the file's free
    # pages: erased personal data is gone from the file, not only from the tables.
    "secure_delete": 1,
}


class NotAllowed(ValueError):
    """A write the rules do not allow (a change the booking's state does not allow, a
    customer whose data is restricted); `code` names which rule said no."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class UTCDateTimeField(DateTimeField):
    """A date-time column that holds naive UTC and gives back aware UTC datetimes, so
    no caller has to remember which of the two a value is."""

    def db_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = naive_utc(value)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Connections are kept in a pool per process and handed to one request at a time:
# opening a connection (and, on SQLite, its WAL files) for every request costs more
# than answering most of them.
POOL = {"max_connections": 16, "stale_timeout": 300, "timeout": 30}
POSTGRES_OPTIONS = "-c lock_timeout=10s -c idle_in_transaction_session_timeout=60s"


# A pooled PostgreSQL connection given back less than this long ago is handed out
# again without asking the server first whether it is still there.
RECENTLY_RETURNED = 1.0


class PostgresPool(PooledPostgresqlDatabase):
    """The pool of PostgreSQL connections. peewee's asks the server (SELECT 1) before it
    hands out any connection, while it holds the pool's lock: a round trip in every
    request, during which the process's other threads wait for a connection. Under
    load a connection comes back within milliseconds; one given back less than
    RECENTLY_RETURNED ago, idle and not closed, is handed out as it is. One that has
    waited longer is asked about as before (the server may have been restarted).

    The statements whose SQL is written once (models/written.py) are prepared on each
    connection: PostgreSQL plans them once, and each is a look-up by key or by an index
    that a generic plan serves as well. Nothing else is: psycopg would prepare any
    statement run five times, and PostgreSQL then falls back to a generic plan, which
    for a search with LIKE cannot use the index a plan made for the typed text does
    (a two-letter search of the register took 72 ms instead of 12)."""

    def __init__(self, *args, **kwargs):
        self._returned_at = {}
        super().__init__(*args, **kwargs)

    def execute_prepared(self, sql, params=()):
        """execute_sql, the statement prepared on the connection."""
        return self._execute_cursor(sql, params, prepare=True)

    def _execute_cursor(self, sql, params, prepare=False, **cursor_options):
        # peewee's, with psycopg told whether to prepare the statement.
        self._log_query(sql, params)
        with peewee.__exception_wrapper__:
            cursor = self.cursor(**cursor_options)
            cursor.execute(sql, params or (), prepare=prepare)
        return cursor

    def _close(self, conn, close_conn=False):
        if not close_conn:
            self._returned_at[self.conn_key(conn)] = time.monotonic()
        super()._close(conn, close_conn)

    def _close_raw(self, conn):
        self._returned_at.pop(self.conn_key(conn), None)
        return super()._close_raw(conn)

    def _is_closed(self, conn):
        returned = self._returned_at.pop(self.conn_key(conn), None)
        if (returned is not None and time.monotonic() - returned < RECENTLY_RETURNED
                and not conn.closed
                and self._adapter.txn_status(conn) == self._adapter.txn_idle):
            return False
        return super()._is_closed(conn)


def open_database(url, root=None):
    """Bind the models to the database at `url` and return it.

    sqlite:///relative/path is taken relative to `root`, sqlite:////absolute/path as
    it is; postgresql://user:password@host:port/name for PostgreSQL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_absolute() and root is not None:
            path = Path(root) / path
        path.parent.mkdir(parents=True, exist_ok=True)
        database = PooledSqliteDatabase(
            str(path), pragmas=SQLITE_PRAGMAS, check_same_thread=False, **POOL
        )
        database.writers = WriterQueue(f"{path}-writers")
    elif parts.scheme in ("postgres", "postgresql"):
        database = PostgresPool(
            parts.path.lstrip("/"),
            user=parts.username,
            password=parts.password,
            host=parts.hostname,
            port=parts.port,
            # A lock wait or a forgotten transaction ends in an error the request
            # reports, never in a request (and the customers behind it) hanging.
            options=POSTGRES_OPTIONS,
            # psycopg 3 even where psycopg2 is installed too: it can prepare a
            # statement on the connection, so PostgreSQL plans it once (only those
            # PostgresPool.execute_prepared runs are).
            prefer_psycopg3=True,
            **POOL,
        )
    else:
        raise ValueError(f"VUORO_DATABASE_URL must be sqlite:// or postgresql://, not {url!r}")
    if db.obj is not None:
        db.obj.close_all()
        if getattr(db.obj, "writers", None) is not None:
            db.obj.writers.close()
    db.initialize(database)
    return database


def is_sqlite():
    return isinstance(db.obj, SqliteDatabase)


# How long a SQLite writer waits for its turn before it gives up with "database is
# locked" (an OperationalError: the page says the site is busy, a booking retries), as
# long as SQLite's own busy_timeout above.
WRITER_WAIT = 10.0


# How often the one waiting writer of a process asks for the file lock again. A
# writer's turn is a few milliseconds; with pauses doubling up to 4 ms, the other
# process's writers handed the lock on among themselves while this one slept, and in a
# burst of bookings the slowest 1 % waited twice as long (benchmarks/booking_load.py:
# the booking POST's p99 170-190 ms with them, 80-97 ms with this). At most two such
# checks a millisecond a process cost next to nothing.
FILE_LOCK_PAUSE = 0.0005


class WriterQueue:
    """The queue of a SQLite database's writers, across the threads and processes of
    the machine: a thread lock, then an exclusive lock on the file `path` (flock), taken
    before BEGIN IMMEDIATE and given back after the commit.

    Without it, writers wait in SQLite's busy handler, which sleeps and tries again
    (at last every 100 ms) and lets a writer that has just arrived overtake one that has
    waited: in a burst of bookings some customers waited seconds while others went
    through. Here the threads of a process wait on the thread lock, which wakes the next
    as soon as it is given back, and only the one thread of each process whose turn it
    is asks for the file lock, every FILE_LOCK_PAUSE. No writer waits
    longer than `wait` seconds. The kernel gives the file lock back when a process ends,
    however it ends."""

    def __init__(self, path, wait=None):
        self.path = path
        self.wait = WRITER_WAIT if wait is None else wait
        self._threads = threading.Lock()
        self._file = None
        self._opened_by = None

    def _lock_file(self):
        # Opened per process: a worker forked from the master gets its own.
        if self._opened_by != os.getpid():
            self._file = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._opened_by = os.getpid()
        return self._file

    def close(self):
        if self._file is not None and self._opened_by == os.getpid():
            os.close(self._file)
        self._file = self._opened_by = None

    @staticmethod
    def _waited_too_long():
        return OperationalError("database is locked: no turn to write in time")

    @contextmanager
    def turn(self):
        deadline = time.monotonic() + self.wait
        if not self._threads.acquire(timeout=self.wait):
            raise self._waited_too_long()
        try:
            lock_file = self._lock_file()
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise self._waited_too_long() from None
                    time.sleep(FILE_LOCK_PAUSE)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


@contextmanager
def write_transaction():
    """A transaction that checks and writes without a race: on SQLite it takes the
    write lock at BEGIN (IMMEDIATE), so no other writer can slip in between the check
    and the insert, after waiting its turn in the database's WriterQueue (within a
    transaction already open, it is a savepoint of that one and waits for nothing);
    on PostgreSQL the constraints decide."""
    if not is_sqlite() or db.in_transaction():
        with db.atomic() as transaction:
            yield transaction
    else:
        with db.obj.writers.turn(), db.atomic("IMMEDIATE") as transaction:
            yield transaction


# The largest id or count the databases hold (a signed 64-bit integer): SQLite cannot
# even compare with a larger one.
LARGEST_NUMBER = 2**63 - 1


def whole_number(text, largest=LARGEST_NUMBER):
    """A whole number written in the digits 0-9 (from a form, an address or a link),
    at most `largest`, or None when the text is anything else. `str.isdigit` is no test:
    it is true of '²', which int() refuses, and of '٣', which int() reads as 3."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        return None
    number = int(text)
    return number if number <= largest else None


def link_key(secret_key, text):
    """The secret of a link the business sends, derived from `text` with the site's
    secret key: the same text always gives the same link, and only its hash is stored."""
    return hmac.new(secret_key.encode(), text.encode(), hashlib.sha256).hexdigest()[:43]
