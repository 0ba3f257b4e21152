"""The command line: `flask --app app COMMAND`. Each command works on the models (and the
worker's duties) directly; none goes through a page. `init_app` adds them all."""

import contextlib
import os
import signal
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

import models
import worker
from engines import clock
from engines.spreadsheet import CSV, CSV_ZIP, JSON, XLSX
from models import demo, schema
from models.accounts.users import ROLES, User, WeakPassword, create_user, invite
from models.analytics import visits
from models.analytics.demo import add_demo_traffic
from models.backups import BackupError, archive, erasure_list, keeping
from models.backups.restore import restore
from models.exports import TABLES, UnknownTable, chosen_tables
from models.money.demo import add_demo_money
from models.privacy import retention
from models.privacy.audit import record as audit_record
from web import handover as handover_files
from web import logging as json_logs
from web.exports import write_export
from web.formatting import LANGUAGES
from web.wording import PASSWORD_PROBLEMS


@click.command("init-db")
def init_db_command():
    """Create the database schema, or bring it up to date."""
    applied = schema.migrate()
    click.echo(f"Schema up to date ({len(applied)} migrations applied now).")


@click.command("demo")
@click.option("--remove", is_flag=True,
              help="Take the demo business and its data away, before going live.")
def demo_command(remove):
    """Fill an empty database with a fictional business (does nothing twice)."""
    schema.migrate()
    if remove:
        _remove_demo()
        return
    if demo.add_demo_business():
        with models.db.atomic():
            add_demo_money()
            demo.mark_money()
            add_demo_traffic()
        click.echo("Demo business added.")
    else:
        click.echo("The database already has a business; demo data not added.")


DEMO_REFUSALS = {
    "no_demo": "This database has no demo to remove (the demo was never added here, or "
               "was added by a version without its marks). Nothing was removed.",
    "business_changed": "The business details are no longer the demo's: they are taken "
                        "as yours. Nothing was removed.",
    "other_data": "The database holds data the demo did not add ({found}). `demo "
                  "--remove` removes only the demo's own data, so nothing was removed.",
}


def _remove_demo():
    with models.db.connection_context():
        try:
            removed = demo.remove_demo()
        except demo.NotTheDemo as refusal:
            found = ", ".join(f"{table}: {rows}" for table, rows in refusal.found.items())
            raise click.ClickException(DEMO_REFUSALS[refusal.code].format(found=found)) \
                from None
    click.echo(f"The demo business is removed ({sum(removed.values())} rows: "
               + ", ".join(f"{table} {rows}" for table, rows in removed.items()) + ").")
    click.echo("The accounts, the audit log and the listed processors stay. Log in as the "
               "owner: the setup leads through the business details, services, staff and "
               "partners; the site opens to customers once the business details are given.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="The name shown in the back office.")
@click.option("--link", is_flag=True,
              help="Print a one-time set-password link instead of asking for a password.")
def create_user_command(email, role, name, link):
    """Create a back-office account; asks for its password, or prints a link."""
    if User.get_or_none(User.email == email.strip().lower()):
        raise click.ClickException(f"An account for {email} exists already.")
    with models.db.atomic():
        user = create_user(email, name or email.split("@")[0], role)
        if link:
            click.echo(f"Account {user.email} ({role}) created. Its one-time link to set a "
                       f"password, valid 48 hours:\n{_invitation_link(user)}")
            return
        while True:
            password = _ask_password()
            if password is None:
                continue
            try:
                user.set_password(password)
                break
            except WeakPassword as problem:
                with current_app.test_request_context():
                    click.echo(str(PASSWORD_PROBLEMS[problem.code]))
        user.save()
    click.echo(f"Account {user.email} ({role}) created.")


def _ask_password():
    """The new password, asked twice in the business's language (Finnish by default, as
    the password's problems are told); None when the two differ."""
    with current_app.test_request_context():
        first, again, differ = (gettext("Password"), gettext("The password again"),
                                gettext("The two passwords differ. Type them again."))
    password = click.prompt(first, hide_input=True)
    if click.prompt(again, hide_input=True) != password:
        click.echo(differ)
        return None
    return password


def _invitation_link(user):
    """A new one-time set-password link for `user`, at the site's own address."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/staff/invitation/{invite(user)}"


@click.command("reset-password")
@with_appcontext
@click.argument("email")
def reset_password_command(email):
    """Print a one-time link to set a new password, for an account whose password is
    forgotten (the owner's too); the old password works until the new one is set."""
    with models.db.connection_context(), models.db.atomic():
        user = User.get_or_none(
            User.email == email.strip().lower())
        if user is None:
            raise click.ClickException(f"There is no account for {email}.")
        link = _invitation_link(user)
    click.echo(f"The one-time link for {user.email} to set a new password, valid 48 "
               f"hours (open it in a browser):\n{link}")


@click.command("outbox")
@with_appcontext
def outbox_command():
    """Send the e-mail that is due, once."""
    with models.db.connection_context():
        click.echo(f"Outbox: {worker.send_due()}.")


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
def retention_command(dry_run):
    """Delete the personal data past its retention period (the worker does it daily)."""
    now = clock.now()
    with models.db.connection_context():
        counts = retention.purge(now, dry_run=dry_run)
    click.echo(f"Retention purge at {now:%Y-%m-%d %H:%M} UTC"
               + (", a dry run: nothing was deleted." if dry_run else "."))
    for line in retention.report(counts, dry_run):
        click.echo(line)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True,
              help="Run each duty that is due and stop: for cron, every minute (the outbox "
                   "and reminders run every time, the retention purge once a day).")
def worker_command(once):
    """Run the periodic duties (the outbox, reminders, the retention purge) until
    stopped with Ctrl+C or SIGTERM."""
    json_logs.configure()
    if once:
        worker.run_duties(worker.DUTIES, clock.now())
        return
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo("Worker running; Ctrl+C stops it.")
    with contextlib.suppress(KeyboardInterrupt):
        worker.run_forever(stop=lambda: bool(stopping))
    click.echo("Worker stopped.")


@click.command("backup")
@with_appcontext
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the backup here, outside the rotation, instead of the backup folder.")
def backup_command(output):
    """Make an encrypted, checked backup of the database (the worker makes one daily)."""
    try:
        made = keeping.back_up(worker.backup_settings(), clock.now(), output)
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Backup written to {made.path} ({made.size} bytes, {made.seconds:.1f} s), "
               f"decrypted and opened again: {'ok' if made.checked else 'not checked'}.")


@click.command("backup-key")
@click.argument("keyfile", type=click.Path(dir_okay=False, path_type=Path))
def backup_key_command(keyfile):
    """Make an age key pair for backups: the key file that opens them (keep it away from
    the server) and the public key for VUORO_BACKUP_RECIPIENTS."""
    text, public = archive.new_key_pair(clock.now())
    try:
        descriptor = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{keyfile} exists already; it is not overwritten.") from None
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    click.echo(f"Key file written to {keyfile}. Keep it safe and away from this server: "
               f"it alone opens the backups.\nPublic key: {public}\nSet on the server:\n"
               f"VUORO_BACKUP_RECIPIENTS={public}")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--identity", "identity", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The age key file that opens the backup.")
@click.option("--erasures", type=click.Path(dir_okay=False, path_type=Path),
              help="The list of erasures (erasures.json); the one beside the backups "
                   "when not given.")
def restore_command(path, identity, erasures):
    """Restore a backup onto the empty database VUORO_DATABASE_URL names, migrate it,
    and erase again everyone erased since the backup was made."""
    settings = worker.backup_settings()
    try:
        done = restore(path, identity, settings.database_url,
                       erasures or erasure_list.path_in(settings.folder), clock.now())
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Restored the backup made at {done.manifest['made_at']} (schema "
               f"{done.manifest['schema']}); {len(done.migrated)} migrations applied since; "
               f"{done.replayed} erasures made after it replayed ({done.records} records "
               "deleted again).")


@click.group("export")
def export_group():
    """Export the business's data for a spreadsheet or another program."""


@export_group.command("data")
@with_appcontext
@click.option("--what", default="all", show_default=True,
              help=f"The tables, comma-separated: {','.join(TABLES)}, or all.")
@click.option("--format", "format_", type=click.Choice((CSV, XLSX, JSON)), default=XLSX,
              show_default=True,
              help="csv: one file per table (in the folder --output, or in a zip file when "
                   "--output ends in .zip); xlsx: one sheet per table; json: one archive "
                   "(docs/export-schema.md).")
@click.option("--output", type=click.Path(), required=True,
              help="The file to write (a folder for csv without .zip).")
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True,
              help="The language of the headings.")
@click.option("--decimal-point", is_flag=True,
              help="CSV money with a decimal point (45.00), for a program that does not "
                   "read Finnish Excel's decimal comma (45,00).")
def export_data_command(what, format_, output, language, decimal_point):
    """Write whole tables to a file: names, Finnish dates and money for people (csv,
    xlsx), ids and ISO times for programs (json). The export is in the audit log."""
    try:
        tables = chosen_tables([name.strip() for name in what.split(",") if name.strip()])
    except UnknownTable as unknown:
        raise click.BadParameter(f"no such table: {unknown}; choose from "
                                 f"{', '.join(TABLES)} or all", param_hint="--what") from None
    if format_ == CSV and output.lower().endswith(".zip"):
        format_ = CSV_ZIP
    rows = 0

    def counted():
        nonlocal rows
        rows += 1

    with models.db.connection_context():
        counts = {table.name: table.count() for table in tables}
        write_export(tables, format_, output, language, counted,
                     decimal_comma=not decimal_point)
        audit_record("data.export",
                     details=worker.export_details(None, format_, counts, rows))
    where = ("one CSV file per table in the folder" if format_ == CSV
             else "the zip file" if format_ == CSV_ZIP else "the file")
    tables_done = ", ".join(f"{name} {number}" for name, number in counts.items())
    click.echo(f"Exported {rows} rows ({tables_done}) to {where} {output}.")


def _day(text, option):
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"{option} {text}: write the date as YYYY-MM-DD, e.g. "
                                   "2026-11-01.") from None


@export_group.command("accounting")
@with_appcontext
@click.option("--from", "first_text", required=True, metavar="YYYY-MM-DD",
              help="The first day of the period.")
@click.option("--to", "last_text", required=True, metavar="YYYY-MM-DD",
              help="The last day of the period (included).")
@click.option("--format", "format_", type=click.Choice(handover_files.FORMATS),
              required=True,
              help="finvoice: one Finvoice 3.0 file per invoice and credit note in the "
                   "folder --output; csv: one voucher line per sale and VAT rate in the "
                   "file --output.")
@click.option("--output", type=click.Path(path_type=Path), required=True,
              help="The folder (finvoice) or the file (csv) to write; never overwritten.")
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True,
              help="The language of the CSV's column names.")
def export_accounting_command(first_text, last_text, format_, output, language):
    """Hand the period's invoices, credit notes and receipts over to the accounting
    program. The export is in the audit log."""
    first, last = _day(first_text, "--from"), _day(last_text, "--to")
    if first > last:
        raise click.ClickException(f"--from {first_text} is after --to {last_text}.")
    if format_ == handover_files.CSV and output.exists():
        raise click.ClickException(f"{output} exists already; it is not overwritten.")
    if format_ == handover_files.FINVOICE and output.exists() and (
            not output.is_dir() or any(output.iterdir())):
        raise click.ClickException(f"{output} exists already and is not an empty folder; "
                                   "nothing is overwritten.")
    with models.db.connection_context():
        if format_ == handover_files.CSV:
            content, count = handover_files.csv_bytes(first, last, language)
            with open(output, "xb") as file:
                file.write(content)
            what = f"{count} voucher lines to {output}"
        else:
            count = handover_files.write_finvoice_folder(first, last, output)
            what = f"{count} Finvoice files (invoices and credit notes) to the folder {output}"
        audit_record("data.export", details=handover_files.audit_details(
            "on the command line", format_, first, last, count))
    click.echo(f"Handed over {first:%d.%m.%Y}–{last:%d.%m.%Y}: {what}.")
@click.group("analytics")
def analytics_group():
    """The site's own visit statistics."""


@analytics_group.command("rollup")
@with_appcontext
def analytics_rollup_command():
    """Roll the consented visits of the days before today up into the per-day counts,
    and delete the raw rows, old salts and counts past their period (the worker does
    it every ten minutes)."""
    with models.db.connection_context():
        rolled = visits.roll_up()
    click.echo(f"Analytics: {rolled} raw rows rolled up into the per-day counts.")


COMMANDS = (init_db_command, demo_command, create_user_command, reset_password_command,
            outbox_command, worker_command, retention_command, backup_command,
            backup_key_command, restore_command, export_group, analytics_group)


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)
