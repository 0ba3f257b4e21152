"""A backup and a restore of a big register: how long each takes, and how big the file is.

Run from the repository root:
  .venv/bin/python benchmarks/backup.py [--database sqlite|postgres|both]

The data is benchmarks/back_office.py's (20 000 customers, 100 000 bookings, the demo
business and ten staff members; its SQLite file is cached in benchmarks/results/). On
each database the script makes a backup as `flask --app app backup` does (the consistent
copy, gzip, age encryption for one public key, and the check: decrypted with a one-time
key and the database opened again), then restores it as `flask --app app restore` does
onto a new, empty database (decrypt, load, migrate, replay the list of erasures, here
empty), and checks that every table has as many rows as before.

PostgreSQL gets two databases of its own on 127.0.0.1 as user postgres,
vuoro_backup_bench and vuoro_backup_bench_restore (--postgres-url names the first; the
second is its name with _restore), created and dropped by this script.
"""

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from back_office import generate, load, postgres_database, sqlite_file

import models
from engines.clock import HELSINKI
from models.backups import Settings, archive, erasure_list, keeping
from models.backups.restore import restore

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/vuoro_backup_bench"


def row_counts():
    with models.db.connection_context():
        return {table: models.db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in models.db.get_tables()}


def drill(name, url, target_url, folder):
    """Back up the database at `url`, restore onto the empty one at `target_url`."""
    text, public = archive.new_key_pair(datetime.now(UTC))
    key_file = folder / "key.txt"
    key_file.write_text(text)
    settings = Settings(folder / "backups", (public,), database_url=url)
    models.open_database(url)
    with models.db.connection_context():
        erasure_list.key()
    before = row_counts()
    made = keeping.back_up(settings, datetime.now(UTC))
    database_bytes = made.manifest["bytes"]
    models.db.obj.close_all()
    models.open_database(target_url)
    began = time.perf_counter()
    done = restore(made.path, key_file, target_url,
                   erasure_list.path_in(settings.folder), datetime.now(UTC))
    restored = time.perf_counter() - began
    after = row_counts()
    after.pop("backup_run", None)
    before.pop("backup_run", None)
    if after != before:
        raise RuntimeError(f"row counts differ after the restore: {before} {after}")
    models.db.obj.close_all()
    copy = "the SQLite file" if name == "SQLite" else "pg_dump's compressed custom format"
    print(f"  {name}: copy {database_bytes / 1e6:.1f} MB ({copy}), backup file "
          f"{made.size / 1e6:.1f} MB; backup {made.seconds:.1f} s (checked: {made.checked}); "
          f"restore {restored:.1f} s ({len(done.migrated)} migrations, {done.replayed} "
          f"erasures replayed); {before['customer']} customers, {before['booking']} "
          f"bookings, every table's row count equal", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="a database this script may create and drop (and NAME_restore)")
    args = parser.parse_args()
    print(f"backup: machine {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python "
          f"{platform.python_version()}", flush=True)
    now = datetime.now(UTC)
    data = generate(now.astimezone(HELSINKI).date(), now)
    with tempfile.TemporaryDirectory(prefix="vuoro-backup-bench-") as directory:
        folder = Path(directory)
        if args.database in ("sqlite", "both"):
            path, _ = sqlite_file(data)
            copy = folder / "vuoro.db"
            shutil.copyfile(path, copy)
            (folder / "sqlite").mkdir()
            drill("SQLite", f"sqlite:///{copy}", f"sqlite:///{folder / 'restored.db'}",
                  folder / "sqlite")
        if args.database in ("postgres", "both"):
            with postgres_database(args.postgres_url) as url, \
                    postgres_database(f"{url}_restore") as target:
                load(url, data)
                (folder / "postgres").mkdir()
                drill("PostgreSQL", url, target, folder / "postgres")


if __name__ == "__main__":
    main()
