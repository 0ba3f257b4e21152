"""Fixtures: an app on a fresh database (SQLite file, or PostgreSQL when
VUORO_TEST_POSTGRES_URL is set), its clients, and a real server process."""

import os
import shutil

import pytest
from argon2 import PasswordHasher
from peewee import AutoField
from support import PASSWORD, MailServer, Server, log_in

import models
import models.accounts.users
from app import create_app
from engines.clock import CLOCK
from models import demo, schema
from models.booking.generation import clear_caches

POSTGRES_URL = os.environ.get("VUORO_TEST_POSTGRES_URL", "")
# CI sets this: a test that would skip for a missing tool (Chromium, PostgreSQL)
# fails instead, so nothing is silently left out there.
NO_SKIPS = os.environ.get("VUORO_TEST_NO_SKIPS", "") not in ("", "0")


def pytest_report_header(config):
    database = POSTGRES_URL or "SQLite (a temporary file per test)"
    return [f"vuoro database: {database}", f"vuoro skips fail: {NO_SKIPS}"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else ""
        report.longrepr = f"skipped, but VUORO_TEST_NO_SKIPS forbids skips: {reason}"


def _postgres_reset(url):
    """Empty the PostgreSQL test database and build the schema anew.

    The test database does not wait for the disk at each commit: what a commit makes
    visible, and every lock and constraint, is the same; only a crash of the database
    server could lose the last commits, which no test makes. On a shared machine a slow
    disk otherwise holds every commit (and the lock a booking keeps until then) for
    seconds, and a 32-customer race measures the disk, not the booking."""
    database = models.open_database(url)
    with database.connection_context():
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
        database.execute_sql(f'ALTER DATABASE "{database.database}" SET synchronous_commit = off')
    database.close_all()  # the setting holds for the connections opened from now on
    schema.migrate()


@pytest.fixture(autouse=True)
def quick_password_hashing(request, monkeypatch):
    """argon2id with the least work, so that the accounts tests log in with are quick
    to make; tests marked real_password_hashing keep the real parameters."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(models.accounts.users, "hasher",
                            PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def forget_kept_free_times():
    """Every test starts, as a new app server does, with nothing kept by generation: the
    databases of two tests, copied from one template, start at the same generation."""
    clear_caches()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (faster than migrating each)."""
    path = tmp_path_factory.mktemp("template") / "vuoro.db"
    models.open_database(f"sqlite:///{path}")
    schema.migrate()
    models.db.obj.close_all()  # closes the pool: SQLite writes its WAL back into the file
    return path


@pytest.fixture(scope="session")
def postgres_ready():
    if not POSTGRES_URL:
        return None
    _postgres_reset(POSTGRES_URL)
    return POSTGRES_URL


def _truncate_all():
    """Empty every model's table and start its ids from 1 again. DELETE with the
    triggers and foreign-key checks off (a replica's session) takes a tenth of the time
    of a TRUNCATE of some sixty tables, which gives each table new files; it runs twice
    a test."""
    with models.db.connection_context(), models.db.atomic():
        models.db.execute_sql("SET LOCAL session_replication_role = replica")
        for model in schema.MODELS:
            models.db.execute_sql(f'DELETE FROM "{model._meta.table_name}"')
        numbered = [model._meta.table_name for model in schema.MODELS
                    if isinstance(model._meta.primary_key, AutoField)]
        models.db.execute_sql(
            "SELECT setval(pg_get_serial_sequence(name, 'id'), 1, false) "
            "FROM unnest(%s::text[]) AS name", (numbered,))


@pytest.fixture
def database_url(tmp_path, sqlite_template, postgres_ready):
    if postgres_ready:
        models.open_database(postgres_ready)
        _truncate_all()
        return postgres_ready
    path = tmp_path / "vuoro.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def rebuild_database(database_url, sqlite_template):
    """Makes the test's database anew, empty, as if it was lost and built again."""

    def rebuild():
        if POSTGRES_URL:
            _truncate_all()
        else:
            models.db.obj.close_all()  # closes the pool: nothing of the old file stays
            shutil.copy(sqlite_template, database_url.removeprefix("sqlite:///"))

    return rebuild


@pytest.fixture
def clock():
    """The one clock that every page, rule and duty in this process reads, to be moved
    on (`clock.shift(minutes=31)`) or held (`clock.freeze(moment)`); set back to the real
    time after the test."""
    yield CLOCK
    CLOCK.reset()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test secret key",
        "DEVELOPMENT": True,
    })
    app.instance_path = str(tmp_path / "instance")
    yield app
    if not models.db.is_closed():
        models.db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def shop(app):
    """The demo business: Aino works Mon–Fri 9–17 (break 12–12.30), Eero Tue–Sat
    10–18 (break 13–13.30); four services, the last a home visit (Aino only)."""
    with models.db.connection_context():
        demo.add_demo_business()
    return app


def _account(email, name, role, staff_member=None):
    from models.accounts.users import create_user

    with models.db.connection_context():
        user = create_user(email, name, role, staff_member=staff_member)
        user.set_password(PASSWORD)
        user.save()
    return user


@pytest.fixture
def owner(shop):
    """The owner's account: olli@hieronta.example, password support.PASSWORD."""
    return _account("olli@hieronta.example", "Olli Omistaja", "owner")


@pytest.fixture
def staff_account(shop):
    """A staff account linked to Aino's calendar: aino@hieronta.example."""
    return _account("aino@hieronta.example", "Aino Esimerkki", "staff", staff_member=1)


@pytest.fixture
def owner_client(app, owner, request):
    """A client logged in as the owner; `owner_client.csrf` is its CSRF token."""
    return in_back_office_language(log_in(app.test_client(), owner.email), request)


@pytest.fixture
def staff_client(app, staff_account, request):
    """A client logged in as staff (Aino); `staff_client.csrf` is its CSRF token."""
    return in_back_office_language(log_in(app.test_client(), staff_account.email), request)


def in_back_office_language(client, request):
    """The client reading the back office in the test module's BACK_OFFICE_LANGUAGE
    (Finnish, the default, when it names none)."""
    language = getattr(request.module, "BACK_OFFICE_LANGUAGE", None)
    if language:
        client.set_cookie("lang", language)
    return client


@pytest.fixture
def server(shop, database_url):
    models.db.obj.close_all()  # closes the pool: SQLite writes its WAL back into the file
    running = Server(database_url)
    yield running
    running.stop()



@pytest.fixture
def mail_server(app):
    """A real SMTP server the app sends to (VUORO_SMTP_URL points at it)."""
    server = MailServer()
    app.config["SMTP_URL"] = server.url
    yield server
    server.stop()
