"""The pool of PostgreSQL connections (models.PostgresPool): a connection given back a
moment ago is handed out again without a round trip to ask whether it is alive; one the
server dropped while it waited longer is never handed to a request."""

import os

import psycopg
import pytest

import models

POSTGRES_URL = os.environ.get("VUORO_TEST_POSTGRES_URL", "")

pytestmark = pytest.mark.postgres


@pytest.fixture
def pool(database_url):
    if not POSTGRES_URL:
        pytest.skip("the PostgreSQL pool needs PostgreSQL (VUORO_TEST_POSTGRES_URL)")
    database = models.open_database(database_url)
    with psycopg.connect(database_url, autocommit=True) as admin:
        yield database, admin
    database.close_all()


def backend_of(database):
    return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def last_statement(admin, pid):
    return admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s",
                         (pid,)).fetchone()[0]


def test_a_connection_given_back_just_now_is_handed_out_without_asking_the_server(pool):
    database, admin = pool
    with database.connection_context():
        pid = backend_of(database)
        database.execute_sql("SELECT 'the last thing this request asked'")
    with database.connection_context():
        assert last_statement(admin, pid) == "SELECT 'the last thing this request asked'"
        assert backend_of(database) == pid


def test_a_connection_the_server_dropped_while_it_waited_is_not_handed_out(pool, monkeypatch):
    database, admin = pool
    monkeypatch.setattr(models, "RECENTLY_RETURNED", 0.0)
    with database.connection_context():
        dropped = backend_of(database)
    admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    with database.connection_context():
        assert backend_of(database) != dropped


def test_only_statements_written_once_are_prepared(pool):
    """A statement of models/written.py is prepared on its connection (PostgreSQL plans
    it once); a query peewee writes, a register search say, is planned anew for what
    was typed however often it runs: a generic plan could not use the index that the
    typed text allows."""
    from models.people.customers import Customer
    from models.written import execute_sql_written

    database, _ = pool
    with database.connection_context():
        for number in range(10):
            execute_sql_written("SELECT %s::int + 1", [number]).fetchone()
            list(Customer.select().where(Customer.name ** f"%ma{number}%"))
        prepared = [statement for (statement,) in database.execute_sql(
            "SELECT statement FROM pg_prepared_statements").fetchall()]
    assert prepared == ["SELECT $1::int + 1"]
