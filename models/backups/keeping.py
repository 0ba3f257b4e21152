"""Making a backup and keeping it: written to the backup folder with the list of
erasures beside it, recorded, old ones let go by rotation, and both copied to the
second place when one is set."""

import shlex
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from playhouse.migrations import Runner

from models import db, schema

from . import BackupError, archive, erasure_list, rotation, runs


def schema_version():
    """The last migration applied to the bound database."""
    with db.connection_context():
        applied = Runner(db.obj, directory=str(schema.MIGRATIONS)).applied()
    return max(applied, key=lambda name: int(name.split("_", 1)[0]), default="")


def back_up(settings, now, output=None):
    """Make, check and keep a backup at `now` (aware); into `output` (a path) when
    given, outside the rotation. The archive.Made; BackupError (recorded) when it fails."""
    archive.recipients(settings.recipients)  # no keys, no backup (and nothing to record)
    try:
        with db.connection_context():
            erasure_list.key()  # in every backup, so a restore can read the list's hashes
        target = Path(output) if output else settings.folder / archive.file_name(now)
        made = archive.make(settings.database_url, schema_version(), target,
                            settings.recipients, now)
        with db.connection_context():
            listed = erasure_list.write_file(settings.folder, now)
        if output is None:
            let_go(settings)
            copy_out(settings, [made.path, listed])
    except Exception as problem:  # whatever it was, the owner sees that it failed
        words = str(problem) if isinstance(problem, BackupError) else (
            f"{type(problem).__name__}: {problem}")
        with db.connection_context():
            runs.record(now, problem=words[:1000])
        if isinstance(problem, BackupError):
            raise
        raise BackupError(words) from problem
    with db.connection_context():
        runs.record(now, made)
    return made


def backups_in(folder):
    """The backups in `folder`: file name → when it was made (aware), from the name."""
    found = {}
    for path in Path(folder).glob(f"vuoro-*{archive.SUFFIX}"):
        stamp = path.name.removeprefix("vuoro-").removesuffix(archive.SUFFIX)
        try:
            found[path.name] = datetime.strptime(stamp, archive.NAME_TIME).replace(tzinfo=UTC)
        except ValueError:
            continue
    return found


def let_go(settings):
    """Delete the backups the rotation no longer keeps; their names."""
    made_at = backups_in(settings.folder)
    keep = rotation.kept(made_at, settings.daily, settings.monthly)
    gone = sorted(set(made_at) - keep)
    for name in gone:
        (settings.folder / name).unlink(missing_ok=True)
    return gone


def copy_out(settings, paths):
    """Copy `paths` to the second place: a folder (the rotation there is the folder's
    owner's), or a command run once for each file with {file} replaced by its path."""
    if not settings.copy:
        return
    for path in paths:
        if "{file}" in settings.copy:
            command = [part.replace("{file}", str(path)) for part in shlex.split(settings.copy)]
            try:
                finished = subprocess.run(command, capture_output=True, text=True,
                                          check=False, timeout=3600)
            except (OSError, subprocess.TimeoutExpired) as problem:
                raise BackupError(f"VUORO_BACKUP_COPY could not run: {problem}") from None
            if finished.returncode != 0:
                raise BackupError(f"VUORO_BACKUP_COPY failed ({finished.returncode}): "
                                  f"{finished.stderr.strip()[-300:]}")
        else:
            folder = Path(settings.copy)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, folder / f".{path.name}.new")
                (folder / f".{path.name}.new").replace(folder / path.name)
            except OSError as problem:
                raise BackupError(f"Copying to VUORO_BACKUP_COPY ({folder}) failed: "
                                  f"{problem.strerror}") from None


def write_erasure_list(settings, now):
    """Write the list of erasures beside the backups (and copy it) when it has an
    erasure the file lacks; whether it was written."""
    path = erasure_list.path_in(settings.folder)
    with db.connection_context():
        count = erasure_list.ErasedPerson.select().count()
        try:
            if not count or len(erasure_list.read_file(path)) == count:
                return False
        except (OSError, ValueError):
            pass  # missing or unreadable: written anew
        erasure_list.write_file(settings.folder, now)
    copy_out(settings, [path])
    return True
