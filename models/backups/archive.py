"""The backup file: a gzipped tar of a manifest and a consistent copy of the database,
encrypted with age for the owner's public keys, so that `age -d -i KEYFILE FILE | tar -xz`
opens it as well as `restore` does.

The copy is made while the site runs: SQLite's online backup API copies the file as
one read transaction sees it; PostgreSQL's `pg_dump --format=custom` reads one snapshot.
Right after writing, the file is decrypted again and its database opened: the file is
also encrypted for a key made for that one check and then forgotten, so the check needs
no secret on the server that could open any backup later.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from urllib.parse import urlsplit

import pyrage
from pyrage import x25519

from models import db, is_sqlite

from . import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SUFFIX = ".tar.gz.age"
NAME_TIME = "%Y%m%dT%H%M%SZ"

NO_KEY = (
    "No key to encrypt backups with: set VUORO_BACKUP_RECIPIENTS to the age public key "
    "(age1…) of whoever may open them, several separated by commas. To make a key pair: "
    "`flask --app app backup-key KEYFILE` (or `age-keygen -o KEYFILE`); it prints the "
    "public key. Keep KEYFILE away from this server: it opens every backup."
)


@dataclass(frozen=True)
class Made:
    """One backup written: its file, size in bytes, manifest, whether the written file
    was decrypted and its database opened, and how long it took."""

    path: Path
    size: int
    manifest: dict
    checked: bool
    seconds: float


def recipients(keys):
    """The age recipients of the public keys `keys`; BackupError without a usable one."""
    if not keys:
        raise BackupError(NO_KEY)
    parsed = []
    for key in keys:
        try:
            parsed.append(x25519.Recipient.from_str(key))
        except pyrage.RecipientError:
            raise BackupError(f"VUORO_BACKUP_RECIPIENTS: {key[:12]}… is not an age public "
                              f"key (age1…). {NO_KEY}") from None
    return parsed


def new_key_pair(now):
    """A new age key pair as (the text of an age key file, the public key)."""
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    text = (f"# created: {now.isoformat(timespec='seconds')}\n"
            f"# public key: {public}\n{identity}\n")
    return text, public


def read_identities(path):
    """The age identities (AGE-SECRET-KEY-1…) in the key file at `path`."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as problem:
        raise BackupError(f"Cannot read the key file {path}: {problem.strerror}.") from None
    identities = []
    for line in lines:
        if line.strip().startswith("AGE-SECRET-KEY-"):
            try:
                identities.append(x25519.Identity.from_str(line.strip()))
            except pyrage.IdentityError:
                raise BackupError(f"{path} holds a damaged age key.") from None
    if not identities:
        raise BackupError(f"{path} holds no age key (a line AGE-SECRET-KEY-1…).")
    return identities


def file_name(made_at):
    return f"vuoro-{made_at.astimezone(UTC).strftime(NAME_TIME)}{SUFFIX}"


def database_kind():
    return "sqlite" if is_sqlite() else "postgresql"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_sqlite(target):
    """Copy the live SQLite database with the online backup API: one read transaction,
    so the copy is as the database was at one moment, while writers go on (WAL)."""
    source = sqlite3.connect(db.obj.database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
        source.close()


def tool(name):
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client programs (on Debian or "
            f"Ubuntu: apt install postgresql-client), of the server's major version or newer.")
    return found


def _run(command, what):
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(f"{what} failed: {finished.stderr.strip()[-500:]}")
    return finished.stdout


def postgres_url(url):
    """The URL libpq's programs take (postgresql://…), from VUORO_DATABASE_URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise BackupError(f"{url!r} is not a PostgreSQL database URL.")
    return parts._replace(scheme="postgresql").geturl()


def _dump_postgres(database_url, target):
    _run([tool("pg_dump"), "--format=custom", f"--file={target}",
          f"--dbname={postgres_url(database_url)}"], "pg_dump")


def _tables_in(path, kind, check="integrity_check"):
    """Open the database copy and list its tables: SQLite checks its integrity (`check`:
    integrity_check, or the quicker quick_check that skips comparing indexes with
    their tables), PostgreSQL's dump reads its table of contents."""
    if kind == "sqlite":
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute(f"PRAGMA {check}").fetchone()[0] != "ok":
                raise BackupError("the copy of the database is damaged")
            return sorted(name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"))
        finally:
            connection.close()
    listing = _run([tool("pg_restore"), "--list", str(path)], "pg_restore --list")
    return sorted(line.split()[-2] for line in listing.splitlines()
                  if " TABLE public " in line and not line.startswith(";"))


def make(database_url, schema_version, target, keys, now):
    """Write an encrypted backup of the bound database to `target` (a path) for the
    public keys `keys`, and check it; the Made."""
    started = time.monotonic()
    owners = recipients(keys)
    target = Path(target)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    kind = database_kind()
    work = Path(tempfile.mkdtemp(prefix=".making-", dir=target.parent))  # mode 0700
    try:
        copy = work / DATABASE_FILE[kind]
        if kind == "sqlite":
            _copy_sqlite(copy)
        else:
            _dump_postgres(database_url, copy)
        manifest = {
            "format": FORMAT, "application": "vuoro", "database": kind,
            "schema": schema_version, "made_at": now.isoformat(),
            "file": copy.name, "sha256": _sha256(copy), "bytes": copy.stat().st_size,
            "tables": _tables_in(copy, kind),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        archive = work / "backup.tar.gz"
        # The quickest gzip: a third of the time of the default for an eighth more bytes.
        with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(copy, arcname=copy.name)
        check = x25519.Identity.generate()
        encrypted = work / target.name
        pyrage.encrypt_file(str(archive), str(encrypted), [*owners, check.to_public()])
        checked = _check(encrypted, [check], manifest, work / "check")
        encrypted.chmod(0o600)
        os.replace(encrypted, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Made(target, target.stat().st_size, manifest, checked,
                time.monotonic() - started)


def _check(path, identities, manifest, folder):
    """Decrypt the written file and open its database: True when it is the copy the
    manifest describes, BackupError when not."""
    found, copy = open_backup(path, identities, folder)
    # The checksum has shown it is the copy checked in full before it was encrypted.
    tables = _tables_in(copy, manifest["database"], check="quick_check")
    if found != manifest or tables != manifest["tables"]:
        raise BackupError("the written backup does not open as it was made")
    return True


def open_backup(path, identities, folder):
    """Decrypt the backup at `path` with `identities` into `folder`: its manifest and
    the path of its database copy, checked against the manifest's checksum."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "backup.tar.gz"
    try:
        pyrage.decrypt_file(str(path), str(archive), identities)
    except pyrage.DecryptError as problem:
        raise BackupError(f"Cannot decrypt {path}: {problem} (is it the right key?).") from None
    except OSError as problem:
        raise BackupError(f"Cannot read {path}: {problem.strerror}.") from None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = json.load(tar.extractfile(MANIFEST))
            name = manifest.get("file")
            if manifest.get("application") != "vuoro" or name not in DATABASE_FILE.values():
                raise BackupError(f"{path} is not a Vuoro backup.")
            tar.extract(name, folder, filter="data")
    except (tarfile.TarError, KeyError, ValueError) as problem:
        raise BackupError(f"{path} is not a Vuoro backup ({problem}).") from None
    archive.unlink()
    copy = folder / name
    if _sha256(copy) != manifest["sha256"]:
        raise BackupError(f"{path}: the database in it does not match its checksum.")
    return manifest, copy
