"""Restoring a backup onto an empty database: decrypt and check it, refuse a backup
of a newer schema than this version knows, load it, migrate it to the current schema,
and replay every erasure in the list made since the backup (with an hour's margin before
it: an erasure dated just before the backup began may have committed after its copy was
read), so that nobody erased comes back."""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from engines.clock import naive_utc
from models import db, schema
from models.messages.outbox import OutboxMessage
from models.people.contact_requests import ContactRequest
from models.people.customers import Customer
from models.privacy import erasure
from models.privacy.data_requests import DataRequest
from models.privacy.person import Person

from . import BackupError, archive, erasure_list

MARGIN = timedelta(hours=1)
# Stands for "no customer record" in a replayed Person: no row has id 0.
NO_CUSTOMER = 0


@dataclass
class Restored:
    manifest: dict
    migrated: list = field(default_factory=list)
    replayed: int = 0  # erasures done again
    records: int = 0  # records they deleted


def migration_number(name):
    return int(name.split("_", 1)[0])


def _check_schema(manifest):
    known = sorted(path.stem for path in schema.MIGRATIONS.glob("[0-9]*.py"))
    theirs = manifest.get("schema") or ""
    if not theirs[:4].isdigit() or migration_number(theirs) > migration_number(known[-1]):
        raise BackupError(f"The backup's schema ({theirs}) is newer than this version of "
                          f"Vuoro knows ({known[-1]}): restore it with the version that made "
                          "it, or a newer one.")


def _check_empty(database_url):
    with db.connection_context():
        tables = db.get_tables()
    if tables:
        raise BackupError(
            f"The database VUORO_DATABASE_URL names is not empty ({len(tables)} tables): a "
            "restore goes onto a new, empty database only (PostgreSQL: createdb NAME; "
            "SQLite: a file name that does not exist yet), so that nothing is overwritten.")


def _load(manifest, copy, database_url):
    kind = archive.database_kind()
    if manifest["database"] != kind:
        raise BackupError(f"This is a backup of a {manifest['database']} database; "
                          f"VUORO_DATABASE_URL names a {kind} one.")
    if kind == "sqlite":
        target = Path(db.obj.database)
        db.obj.close_all()
        for leftover in (target, target.with_name(target.name + "-wal"),
                         target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(copy, target)
        return
    finished = subprocess.run(
        [archive.tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         f"--dbname={archive.postgres_url(database_url)}", str(copy)],
        capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(f"pg_restore failed: {finished.stderr.strip()[-500:]}")


def restore(path, identity_path, database_url, list_path, now):
    """Restore the backup at `path` with the key file `identity_path` onto the empty
    database at `database_url` (bound), then replay the erasures of the list file at
    `list_path`; the Restored."""
    identities = archive.read_identities(identity_path)
    _check_empty(database_url)
    try:
        listed = erasure_list.read_file(list_path)
    except FileNotFoundError:
        raise BackupError(
            f"No list of erasures at {list_path}: it is written beside the backups and "
            "copied with them. Give its copy with --erasures PATH; without it a person "
            "erased after the backup would come back.") from None
    except ValueError as problem:
        raise BackupError(str(problem)) from None
    with tempfile.TemporaryDirectory(prefix="vuoro-restore-") as folder:
        manifest, copy = archive.open_backup(path, identities, folder)
        _check_schema(manifest)
        _load(manifest, copy, database_url)
    restored = Restored(manifest)
    restored.migrated = schema.migrate()
    with db.connection_context():
        restored.replayed, restored.records = replay(listed, manifest, now)
    return restored


def replay(listed, manifest, now):
    """Erase again everyone in `listed` erased since the backup was made (with MARGIN):
    (how many erasures found someone to erase, how many records went)."""
    since = naive_utc(datetime.fromisoformat(manifest["made_at"])) - MARGIN
    key = erasure_list.key()
    emails = _emails_by_hash(key)
    replayed = records = 0
    for entry in listed:
        if entry.erased < since:
            continue
        customer = Customer.get_or_none(Customer.id == entry.customer_id)
        if customer is not None and customer.created_at != entry.created:
            customer = None  # another person, given the id after the backup
        email = customer.email if customer else emails.get(entry.email_hash, "")
        if customer is None and not email:
            continue
        person = Person(customer.id if customer else NO_CUSTOMER, email or "")
        records += erasure.replay(person, entry.data_request_id, now)
        replayed += 1
    erasure_list.add(listed)
    return replayed, records


def _emails_by_hash(key):
    """The e-mail addresses the restored database holds outside the register, by their
    keyed hash: a person may have written before they were a customer."""
    found = set()
    for column in (ContactRequest.email, DataRequest.email, OutboxMessage.sent_to):
        found.update(column.model.select(column).where(column.is_null(False) & (column != ""))
                     .distinct().scalars())
    return {erasure_list.email_hash(email, key): email for email in found}
