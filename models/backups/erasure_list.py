"""The list of erasures a restore replays, so that restoring a backup never brings back
a person erased after it was made.

Each erasure adds a row here in its own transaction (`note`): the customer's id and
when their record was made (which tell them from a later customer given the same id),
a hash of their e-mail address keyed with a random key kept in the database (it finds
what they sent under that address without a customer record), their request's id and
the time. No name, no address: the key travels only inside the encrypted backups, so
the list alone cannot be tested against a guessed address.

The list is also written as a file beside the backups, `erasures.json`, by the worker
within a minute of each erasure and at every backup, and copied to the second place
with them: the restore reads it from there, because the database it lived in is the
one that was lost.
"""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from peewee import CharField, DateTimeField, IntegerField

from models import BaseModel
from models.privacy.declaration import PersonalData

FILE_NAME = "erasures.json"
FORMAT = 1


class ErasedPerson(BaseModel):
    customer_id = IntegerField(index=True)
    customer_created_at = DateTimeField(null=True)
    email_hash = CharField(max_length=64, default="")
    data_request_id = IntegerField(null=True)
    erased_at = DateTimeField(index=True)

    # The ids point at nothing once the erasure is done, and the hash opens only with
    # the key inside the encrypted backups: what is left says that someone was erased.
    personal_data = PersonalData({}, not_personal=(
        "id", "customer_id", "customer_created_at", "email_hash", "data_request_id",
        "erased_at"))


class ErasureListKey(BaseModel):
    key = CharField(max_length=64)

    personal_data = PersonalData({}, not_personal=("id", "key"))


def key():
    """The key of the list's hashes, made at the first erasure."""
    ErasureListKey.insert(id=1, key=secrets.token_hex(32)).on_conflict_ignore().execute()
    return ErasureListKey.get_by_id(1).key


def email_hash(email, key):
    """The keyed hash of an e-mail address, "" for none."""
    email = (email or "").strip().lower()
    if not email:
        return ""
    return hmac.new(key.encode(), email.encode(), hashlib.sha256).hexdigest()


def note(customer, data_request_id, moment):
    """Add the erasure of `customer` at `moment` (naive UTC) to the list; called inside
    the erasure's transaction, so the list has every erasure that was done."""
    ErasedPerson.create(customer_id=customer.id, customer_created_at=customer.created_at,
                        email_hash=email_hash(customer.email, key()),
                        data_request_id=data_request_id, erased_at=moment)


@dataclass(frozen=True)
class Entry:
    customer_id: int
    customer_created_at: str | None
    email_hash: str
    data_request_id: int | None
    erased_at: str

    @property
    def erased(self):
        return datetime.fromisoformat(self.erased_at)

    @property
    def created(self):
        return (datetime.fromisoformat(self.customer_created_at)
                if self.customer_created_at else None)


def entries():
    """Every erasure in the list of the bound database, the oldest first."""
    return [Entry(row.customer_id,
                  row.customer_created_at and row.customer_created_at.isoformat(),
                  row.email_hash, row.data_request_id, row.erased_at.isoformat())
            for row in ErasedPerson.select().order_by(ErasedPerson.erased_at, ErasedPerson.id)]


def path_in(folder):
    return Path(folder) / FILE_NAME


def write_file(folder, now):
    """Write the list to `folder`/erasures.json (whole, in place of the old one, so a
    reader never sees half a file); its path."""
    path = path_in(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = path.with_name(f".{path.name}.new")
    written.write_text(json.dumps({
        "format": FORMAT, "written_at": now.isoformat(),
        "erasures": [asdict(entry) for entry in entries()],
    }, indent=1))
    written.chmod(0o600)
    os.replace(written, path)
    return path


def read_file(path):
    """The entries of the list file at `path`; ValueError when it is not one."""
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a list of erasures")
    return [Entry(**entry) for entry in data["erasures"]]


def add(entries_to_add):
    """Put `entries_to_add` into the bound database's list, those it lacks."""
    have = {(entry.customer_id, entry.erased_at) for entry in entries()}
    for entry in entries_to_add:
        if (entry.customer_id, entry.erased_at) not in have:
            ErasedPerson.create(
                customer_id=entry.customer_id, customer_created_at=entry.created,
                email_hash=entry.email_hash, data_request_id=entry.data_request_id,
                erased_at=entry.erased)
