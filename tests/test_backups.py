"""Backups that restore: the restore drill (a populated site backed up, wiped and
restored, every table's rows and their checksum equal) on SQLite and PostgreSQL, the
replay of erasures made after the backup, the refusals (no key, a database that is not
empty, a backup of a newer schema), the rotation, the copy to a second place, and what
the owner and /healthz see."""

import hashlib
import io
import json
import secrets
import tarfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pyrage
import pytest
from support import AINO, CLASSIC_60, next_weekday, send

import models
import worker
from app import SettingError, create_app
from engines.clock import HELSINKI
from models import schema
from models.backups import Settings, archive, erasure_list, keeping, rotation, runs
from models.booking.schedule import BookingRequest, book
from models.business.catalogue import Service, StaffMember
from models.people.contact_requests import ContactDetails
from models.people.contact_requests import receive as receive_contact
from models.people.customers import Customer, CustomerDetails
from models.people.notes import CustomerNote
from models.privacy import erasure
from models.privacy.data_requests import DONE, ERASURE, DataRequest
from models.privacy.data_requests import receive as receive_request
from web.tokens import link_token
from worker.delivery import FileDelivery, mail_folder

# The person erased after the backup, and what would give her away.
NAME = "Helmi Häkkinen-Uusitalo"
EMAIL = "helmi.hakkinen@example.fi"
ASKED = "Onko lauantaina tilaa hieronnalle?"
OTHER = "Ville Virtanen-Kallio"
OTHER_EMAIL = "ville.virtanen@example.fi"

BACK_OFFICE_LANGUAGE = "en"  # the owner reads the back office in English here


@pytest.fixture
def key_file(app, tmp_path):
    """The owner's key pair: the key file on "their own computer", the public key set
    on the site, backups into a folder of the test's own."""
    text, public = archive.new_key_pair(datetime.now(UTC))
    path = tmp_path / "owner-key.txt"
    path.write_text(text)
    app.config.update(BACKUP_RECIPIENTS=public, BACKUP_DIR=str(tmp_path / "backups"))
    return path


@pytest.fixture
def drill_database(app, database_url):
    """After the test, the test database has the current schema again, whatever the
    drill left in it."""
    yield
    if models.db.obj is not None and not models.is_sqlite():
        models.db.obj.close_all()
        with models.db.connection_context():
            models.db.execute_sql("DROP SCHEMA public CASCADE")
            models.db.execute_sql("CREATE SCHEMA public")
        schema.migrate()


def make_booking(app, day, hour, name, email, key):
    with app.test_request_context():
        token = link_token(key)
    with models.db.connection_context():
        return book(BookingRequest(
            service=Service.get_by_id(CLASSIC_60), staff=StaffMember.get_by_id(AINO),
            start=datetime.combine(day, time(hour), HELSINKI),
            details=CustomerDetails(name, email, "+358401112233"), message="Selkä jumissa",
            language="fi", submission_key=key, token=token))


def contact(name, email, text):
    with models.db.connection_context():
        return receive_contact(ContactDetails(
            name=name, email=email, phone="", subject="booking", message=text,
            preferred_reply="email", language="fi"), secrets.token_hex(8))


def populate(app, staff_client):
    """The demo, plus bookings of new customers, a note, contact requests, e-mail sent
    (and saved), audit entries of staff reading the register."""
    make_booking(app, next_weekday(1), 10, OTHER, OTHER_EMAIL, "ville-1")
    make_booking(app, next_weekday(2), 14, OTHER, OTHER_EMAIL, "ville-2")
    for number, hour in enumerate((9, 13, 15)):
        make_booking(app, next_weekday(4), hour, f"Asiakas {number}",
                     f"asiakas{number}@example.fi", f"other-{number}")
    contact(OTHER, OTHER_EMAIL, "Villen kysymys")
    with models.db.connection_context():
        ville = Customer.get(Customer.email == OTHER_EMAIL)
        CustomerNote.create(customer=ville, text="Villen muistiinpano")
    send(app, delivery=FileDelivery(mail_folder(app.instance_path)))
    assert staff_client.get(f"/staff/customers/{ville.id}").status_code == 200


def readable(row):
    """A row with its bytes as bytes: PostgreSQL's driver gives a memoryview, whose repr
    names where it is in memory, not what it holds (the brand images' files)."""
    return tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)


def every_table():
    """Each table's row count and a checksum of its rows, in a stable order."""
    with models.db.connection_context():
        found = {}
        for table in sorted(models.db.get_tables()):
            rows = [readable(row) for row in
                    models.db.execute_sql(f'SELECT * FROM "{table}"').fetchall()]
            text = "\n".join(sorted(repr(row) for row in rows))
            found[table] = (len(rows), hashlib.sha256(text.encode()).hexdigest())
        return found


def everything_as_text():
    with models.db.connection_context():
        return "\n".join(repr(row) for table in models.db.get_tables()
                         for row in models.db.execute_sql(f'SELECT * FROM "{table}"'))


def wipe():
    """The database lost: an empty one in its place."""
    if models.is_sqlite():
        path = models.db.obj.database
        models.db.obj.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        models.db.obj.close_all()
        with models.db.connection_context():
            models.db.execute_sql("DROP SCHEMA public CASCADE")
            models.db.execute_sql("CREATE SCHEMA public")
    with models.db.connection_context():
        assert models.db.get_tables() == []


def back_up(runner):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    assert "ja se on purettu ja avattu uudelleen: se on ehjä." in result.output
    return result


def the_backup(app):
    [path] = Settings.from_config(app.config, app.instance_path).folder.glob("*.age")
    return path


def restore(runner, path, key_file, *more):
    return runner.invoke(args=["restore", str(path), "--identity", str(key_file), *more])


def test_restore_drill_gives_back_every_row_of_every_table(
        app, shop, staff_client, runner, key_file, drill_database):
    populate(app, staff_client)
    with models.db.connection_context():
        erasure_list.key()
    before = every_table()
    assert before["booking"][0] >= 8 and before["outbox_message"][0] >= 5
    assert before["audit_entry"][0] >= 1 and before["contact_request"][0] == 1
    back_up(runner)
    wipe()
    result = restore(runner, the_backup(app), key_file)
    assert result.exit_code == 0, result.output
    assert "Varmuuskopion jälkeen tehtyjä poistoja tehtiin uudelleen: 0" in result.output
    assert every_table() == before
    # The site works on it: staff log in again and find the customer.
    page = staff_client.get("/staff/customers/?q=Ville")
    assert page.status_code in (200, 302)


def test_a_backup_opens_as_the_age_tool_opens_it(app, shop, runner, key_file):
    back_up(runner)
    path = the_backup(app)
    assert path.stat().st_mode & 0o077 == 0
    # Nothing readable without the key: not the names, not the e-mail addresses.
    raw = path.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n") and b"matti@asiakas.example" not in raw
    [identity] = archive.read_identities(key_file)
    plain = pyrage.decrypt(raw, [identity])  # `age -d -i KEYFILE FILE | tar -xz`
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:gz") as tar:
        manifest = json.load(tar.extractfile(archive.MANIFEST))
        database = tar.extractfile(manifest["file"]).read()
    expected_kind = "sqlite" if models.is_sqlite() else "postgresql"
    assert manifest["database"] == expected_kind
    assert manifest["schema"] == sorted(path.stem for path in
                                        schema.MIGRATIONS.glob("0*.py"))[-1]
    assert hashlib.sha256(database).hexdigest() == manifest["sha256"]
    assert "customer" in manifest["tables"] and "booking" in manifest["tables"]
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(raw, [pyrage.x25519.Identity.generate()])


def test_restore_replays_an_erasure_made_after_the_backup(
        app, shop, staff_client, runner, key_file, drill_database):
    populate(app, staff_client)
    # She wrote before she was a customer: her contact request is found by her address.
    contact(NAME, EMAIL, ASKED)
    make_booking(app, next_weekday(3), 10, NAME, EMAIL, "helmi-1")
    back_up(runner)
    # After the backup: her erasure, and the worker writes the list beside the backups.
    with models.db.connection_context():
        helmi = Customer.get(Customer.email == EMAIL)
        request = receive_request(ERASURE, customer=helmi, name=NAME, email=EMAIL,
                                  details=f"Poistakaa tietoni, {NAME}")
        erasure.erase(helmi, request, None, datetime.now(UTC))
    with app.app_context():
        worker.run_duties([worker.DUTY_BY_NAME["erasure-list"]], datetime.now(UTC))
    listed = json.loads((the_backup(app).parent / "erasures.json").read_text())
    assert len(listed["erasures"]) == 1 and EMAIL not in json.dumps(listed)
    assert NAME not in json.dumps(listed)
    wipe()
    result = restore(runner, the_backup(app), key_file)
    assert result.exit_code == 0, result.output
    assert "Varmuuskopion jälkeen tehtyjä poistoja tehtiin uudelleen: 1" in result.output
    text = everything_as_text()
    for trace in (NAME, EMAIL, ASKED):
        assert trace not in text
    assert OTHER in text and OTHER_EMAIL in text
    with models.db.connection_context():
        assert not Customer.select().where(Customer.email == EMAIL).exists()
        assert erasure_list.ErasedPerson.select().count() == 1
        assert not DataRequest.select().where(DataRequest.status != DONE).exists()


def test_an_id_given_again_after_the_backup_is_not_erased(app, shop, runner, key_file,
                                                          drill_database):
    """The list says customer #1 was erased after the backup, but #1 in the backup is
    someone else (made at another time, another address): restoring erases nobody."""
    back_up(runner)
    with models.db.connection_context():
        matti = Customer.get_by_id(1)
        before = Customer.select().count()
    listed = {"format": 1, "written_at": datetime.now(UTC).isoformat(), "erasures": [{
        "customer_id": matti.id, "email_hash": "0" * 64, "data_request_id": None,
        "customer_created_at": (matti.created_at + timedelta(days=1)).isoformat(),
        "erased_at": (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat(),
    }]}
    (the_backup(app).parent / "erasures.json").write_text(json.dumps(listed))
    wipe()
    result = restore(runner, the_backup(app), key_file)
    assert result.exit_code == 0
    assert "Varmuuskopion jälkeen tehtyjä poistoja tehtiin uudelleen: 0" in result.output
    with models.db.connection_context():
        assert Customer.select().count() == before
        assert Customer.get_by_id(1).email == matti.email


def test_backup_refuses_without_a_key_and_says_how_to_make_one(app, shop, runner):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 1
    assert "VUORO_BACKUP_RECIPIENTS" in result.output
    assert "Virhe: Varmuuskopiointi ei ole käytössä" in result.output
    assert "flask --app app backup-key AVAINTIEDOSTO" in result.output
    assert "age-keygen" in result.output
    with models.db.connection_context():
        assert runs.BackupRun.select().count() == 0


def test_backup_key_writes_a_key_file_that_opens_what_its_public_key_locks(runner, tmp_path):
    path = tmp_path / "key.txt"
    result = runner.invoke(args=["backup-key", str(path)])
    assert result.exit_code == 0, result.output
    public = result.output.split("VUORO_BACKUP_RECIPIENTS=")[1].strip()
    assert path.stat().st_mode & 0o077 == 0
    [identity] = archive.read_identities(path)
    locked = pyrage.encrypt(b"hei", [pyrage.x25519.Recipient.from_str(public)])
    assert pyrage.decrypt(locked, [identity]) == b"hei"
    again = runner.invoke(args=["backup-key", str(path)])
    assert again.exit_code == 1 and "eikä sen päälle kirjoiteta" in again.output


def test_restore_refuses_a_database_that_is_not_empty(app, shop, runner, key_file):
    back_up(runner)
    before = every_table()
    result = restore(runner, the_backup(app), key_file)
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert every_table() == before


def test_restore_refuses_a_backup_of_a_newer_schema(app, shop, runner, key_file,
                                                     monkeypatch, drill_database):
    monkeypatch.setattr(keeping, "schema_version", lambda: "9999_from_the_future")
    back_up(runner)
    wipe()
    result = restore(runner, the_backup(app), key_file)
    assert result.exit_code == 1
    assert "9999_from_the_future" in result.output and "newer" in result.output


def test_restore_refuses_without_the_list_of_erasures(app, shop, runner, key_file, tmp_path,
                                                      drill_database):
    back_up(runner)
    wipe()
    result = restore(runner, the_backup(app), key_file, "--erasures",
                     str(tmp_path / "nowhere.json"))
    assert result.exit_code == 1 and "--erasures" in result.output


def test_rotation_keeps_the_newest_of_14_days_and_of_12_months():
    start = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
    made_at = {f"b{hours}": start + timedelta(hours=hours) for hours in range(0, 24 * 500, 12)}
    kept = rotation.kept(made_at, daily=14, monthly=12)
    newest = max(made_at.values())
    days = {made_at[name].astimezone(HELSINKI).date() for name in kept}
    months = {(made_at[name].astimezone(HELSINKI).year, made_at[name].astimezone(HELSINKI).month)
              for name in kept}
    assert len(months) == 12 and len(kept) <= 14 + 12
    assert {newest.astimezone(HELSINKI).date() - timedelta(days=n) for n in range(14)} <= days
    assert max(made_at[name] for name in kept) == newest


def test_the_worker_backs_up_daily_rotates_and_copies_to_a_second_place(
        app, shop, key_file, tmp_path):
    second = tmp_path / "second-place"
    app.config.update(BACKUP_COPY=str(second), BACKUP_DAILY=2, BACKUP_MONTHLY=1)
    now = datetime.now(UTC)
    with app.app_context():
        for days in (3, 2, 1, 0):
            worker.run_duties([worker.DUTY_BY_NAME["backup"]], now - timedelta(days=days))
        # Once a day only, however often the worker asks.
        worker.run_duties([worker.DUTY_BY_NAME["backup"]], now + timedelta(hours=1))
    folder = Settings.from_config(app.config, app.instance_path).folder
    assert len(list(folder.glob("*.age"))) == 2
    assert len(list(second.glob("*.age"))) == 4 and (second / "erasures.json").exists()
    with models.db.connection_context():
        assert runs.BackupRun.select().count() == 4
        assert runs.last().checked and runs.last().size > 0


def test_the_owner_sees_the_last_backup_and_a_failed_one_in_the_navigation(
        app, shop, owner_client, key_file):
    page = owner_client.get("/staff/backups/")
    assert page.status_code == 200 and "none yet" in page.text
    with app.app_context():
        worker.run_duties([worker.DUTY_BY_NAME["backup"]], datetime.now(UTC))
    page = owner_client.get("/staff/backups/")
    assert "Yes: decrypted and its database opened" in page.text
    assert 'class="badge warning"' not in page.text.split("</nav>")[0]
    with models.db.connection_context():  # a day and three hours ago
        made_at = runs.last().made_at
        runs.BackupRun.update(made_at=made_at - timedelta(hours=27)).execute()
    assert "late" in owner_client.get("/staff/customers/").text.split("</nav>")[0]
    assert "last backup late" in owner_client.get("/healthz").json["problems"]
    app.config.update(BACKUP_COPY="false {file}")
    with app.app_context():
        worker.run_duties([worker.DUTY_BY_NAME["backup"]], datetime.now(UTC) + timedelta(days=1))
    nav = owner_client.get("/staff/customers/").text.split("</nav>")[0]
    assert "failed" in nav
    page = owner_client.get("/staff/backups/")
    assert "The last backup failed" in page.text and "VUORO_BACKUP_COPY failed" in page.text
    assert "last backup failed" in owner_client.get("/healthz").json["problems"]


def test_without_keys_the_owner_is_told_backups_are_off(owner_client, shop):
    page = owner_client.get("/staff/backups/")
    assert "Backups are not on" in page.text and "backup-key" in page.text
    assert "not on" in page.text.split("</nav>")[0]


def test_a_mistyped_public_key_stops_the_app_with_one_line(database_url):
    with pytest.raises(SettingError, match="VUORO_BACKUP_RECIPIENTS: age1typo"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                    "BACKUP_RECIPIENTS": "age1typo"})


def test_staff_who_are_not_the_owner_cannot_see_backups(staff_client):
    assert staff_client.get("/staff/backups/").status_code == 403
    assert "/staff/backups/" not in staff_client.get("/staff/customers/").text
