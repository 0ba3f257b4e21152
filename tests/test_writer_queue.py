"""SQLite's writers wait their turn in the writer queue (models.WriterQueue), across the
threads and the processes of the machine, not in SQLite's busy handler. SQLite's own
wait is switched off here (busy_timeout 0), so a writer that did not queue would fail
at once with "database is locked".

These tests make their own SQLite file, on whichever database the suite runs."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from peewee import OperationalError

import models

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 6
WRITES = 15

CHILD = """
import sys
import models
models.SQLITE_PRAGMAS["busy_timeout"] = 0
models.open_database(sys.argv[1])
with models.db.connection_context(), models.write_transaction():
    models.db.execute_sql("INSERT INTO tally (n) VALUES (2)")
"""


@pytest.fixture
def tally(tmp_path, monkeypatch):
    monkeypatch.setitem(models.SQLITE_PRAGMAS, "busy_timeout", 0)
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    database = models.open_database(url)
    with database.connection_context():
        database.execute_sql("CREATE TABLE tally (n INTEGER)")
    yield url
    database.close_all()


def count(value):
    with models.db.connection_context():
        return models.db.execute_sql("SELECT COUNT(*) FROM tally WHERE n = ?",
                                     (value,)).fetchone()[0]


def test_threads_writing_at_once_each_get_their_turn(tally):
    def write():
        for _ in range(WRITES):
            with models.db.connection_context(), models.write_transaction():
                models.db.execute_sql("INSERT INTO tally (n) VALUES (1)")

    writers = [threading.Thread(target=write) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert count(1) == WRITERS * WRITES


def test_a_writer_in_another_process_waits_for_the_one_writing_now(tally):
    with models.db.connection_context(), models.write_transaction():
        models.db.execute_sql("INSERT INTO tally (n) VALUES (1)")
        child = subprocess.Popen([sys.executable, "-c", CHILD, tally], cwd=ROOT,
                                 stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=1)  # still waiting its turn, not failed
    _, errors = child.communicate(timeout=60)
    assert child.returncode == 0, errors
    assert count(1) == 1 and count(2) == 1


def test_a_write_transaction_inside_an_open_one_is_part_of_it(tally):
    with models.db.connection_context(), models.write_transaction():
        models.db.execute_sql("INSERT INTO tally (n) VALUES (1)")
        with models.write_transaction():
            models.db.execute_sql("INSERT INTO tally (n) VALUES (1)")
    assert count(1) == 2


def test_a_writer_that_gets_no_turn_in_time_is_told_the_database_is_locked(tally):
    # The booking's retry and the busy page know this error; no request waits forever.
    models.db.obj.writers.wait = 0.3
    started, release = threading.Event(), threading.Event()

    def hold():
        with models.db.connection_context(), models.write_transaction():
            started.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    started.wait(10)
    try:
        with (pytest.raises(OperationalError, match="database is locked"),
              models.db.connection_context(), models.write_transaction()):
            pass
        child = subprocess.run([sys.executable, "-c", IMPATIENT_CHILD, tally], cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
        assert "database is locked" in child.stdout, child.stderr
    finally:
        release.set()
        holder.join()
    with models.db.connection_context(), models.write_transaction():  # its turn again
        models.db.execute_sql("INSERT INTO tally (n) VALUES (1)")
    assert count(1) == 1


IMPATIENT_CHILD = """
import sys
import models
from peewee import OperationalError
models.WRITER_WAIT = 0.3
models.open_database(sys.argv[1])
try:
    with models.db.connection_context(), models.write_transaction():
        pass
except OperationalError as error:
    print(error)
"""
