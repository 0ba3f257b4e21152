"""Backups that restore: an encrypted copy of the whole database made while the site
runs, kept by rotation, copied to a second place, and a restore that replays the
erasures made since the copy.

`archive` makes and opens the encrypted files, `rotation` chooses which to keep, `runs`
records each backup for the back office and the health check, `erasure_list` keeps the
list of erasures a restore replays, and `restore` puts a backup onto an empty database.
"""

from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Settings:
    """Where backups go and who can open them: `recipients` are age public keys
    (age1…); `copy` is a second folder, or a command with {file} in it; `daily` and
    `monthly` say how many of each are kept."""

    folder: Path
    recipients: tuple = ()
    daily: int = 14
    monthly: int = 12
    copy: str = ""
    database_url: str = ""

    @classmethod
    def from_config(cls, config, instance_path):
        """The settings from the app's configuration (VUORO_BACKUP_*)."""
        folder = config.get("BACKUP_DIR") or Path(instance_path) / "backups"
        recipients = tuple(key.strip() for key in config.get("BACKUP_RECIPIENTS", "").split(",")
                           if key.strip())
        return cls(Path(folder), recipients, int(config.get("BACKUP_DAILY", 14)),
                   int(config.get("BACKUP_MONTHLY", 12)), config.get("BACKUP_COPY", "").strip(),
                   config.get("DATABASE_URL", ""))

    @property
    def configured(self):
        return bool(self.recipients)
