"""The command line: `flask --app app COMMAND`. Each command works on the models (and the
worker's duties) directly; none goes through a page. `init_app` adds them all.

Every command runs in the app context (`with_appcontext`), where flask-babel's gettext
answers in the business's language (web.formatting.chosen_language without a request):
what a command writes, asks and refuses is in that language, Finnish unless
VUORO_LANGUAGE says otherwise. The --help texts are click's and stay in English."""

import contextlib
import os
import signal
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

import models
import worker
from engines import clock
from engines.spreadsheet import CSV, CSV_ZIP, JSON, XLSX
from models import demo, schema
from models.accounts.users import (
    OWNER,
    ROLES,
    STAFF_ROLE,
    User,
    WeakPassword,
    create_user,
    invite,
)
from models.analytics import visits
from models.analytics.demo import add_demo_traffic
from models.backups import BackupError, archive, erasure_list, keeping
from models.backups.restore import restore
from models.exports import TABLES, UnknownTable, chosen_tables
from models.money.demo import add_demo_money
from models.privacy import periods, retention
from models.privacy.audit import record as audit_record
from web import handover as handover_files
from web import logging as json_logs
from web.exports import TABLE_TITLES, write_export
from web.formatting import (
    LANGUAGES,
    business_language,
    date_text,
    decimal_text,
    moment_text,
    size_text,
)
from web.retention_wording import PURGED_NAMES, RECORD_CATEGORY_NAMES, retention_text
from web.wording import BACKUPS_OFF, PASSWORD_PROBLEMS


class Refusal(click.ClickException):
    """Why a command stops, given in the business's language when it is raised (in the
    app context); shown as one line after the translated "Error:", not click's."""

    def __init__(self, message):
        super().__init__(str(message))
        self.line = _("Error: %(message)s", message=self.message)

    def show(self, file=None):
        click.echo(self.line, err=True)


def _not_overwritten(path):
    return Refusal(_("%(path)s exists already; it is not overwritten.", path=path))


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema, or bring it up to date."""
    applied = schema.migrate()
    click.echo(ngettext("The database is up to date (%(num)d change made now).",
                        "The database is up to date (%(num)d changes made now).",
                        len(applied)))


@click.command("demo")
@with_appcontext
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
        click.echo(_("The demo business is added."))
    else:
        click.echo(_("The database already has a business, so the demo is not added."))


DEMO_REFUSALS = {
    "no_demo": _l("This database has no demo to remove (it was never added here, or an "
                  "older version added it without marking it). Nothing was removed."),
    "business_changed": _l("The business details are no longer the demo's, so they are "
                           "taken as yours. Nothing was removed."),
    "other_data": _l("The database holds data the demo did not add (%(found)s). Removing "
                     "the demo removes only the demo's own data, so nothing was removed."),
}
# The data `demo --remove` finds that the demo did not add, by its table.
DATA_NAMES = {
    "business": _l("business details"),
    "service": _l("services"),
    "staff_member": _l("staff"),
    "customer": _l("customers"),
    "booking": _l("bookings"),
    "customer_note": _l("notes"),
    "contact_request": _l("contact requests"),
    "contact_answer": _l("answers to contact requests"),
    "breach": _l("data breaches"),
    "data_request": _l("requests about people's data"),
    "consent": _l("consents"),
    "money_settings": _l("invoicing settings"),
    "service_vat": _l("VAT rates of services"),
    "sale": _l("receipts"),
    "sale_row": _l("lines of receipts"),
    "invoice": _l("invoices"),
    "invoice_row": _l("lines of invoices"),
    "invoice_payment": _l("payments of invoices"),
    "payment_reminder": _l("payment reminders"),
    "export_job": _l("exports"),
    "backup_run": _l("backups"),
    "erased_person": _l("erasures"),
    "erasure_list_key": _l("the key of the list of erasures"),
}


def _remove_demo():
    with models.db.connection_context():
        try:
            demo.remove_demo()
        except demo.NotTheDemo as refusal:
            found = ", ".join(f"{DATA_NAMES.get(table, table)} {rows}"
                              for table, rows in refusal.found.items())
            raise Refusal(DEMO_REFUSALS[refusal.code] % {"found": found}) from None
    click.echo(_("The demo business and all its data are removed."))
    click.echo(_("The accounts, the audit log and the list of processors stay. Log in as "
                 "the owner: the first steps lead through the business details, services, "
                 "staff and partners; the site opens to customers once the business details "
                 "are given."))


CREATED = {OWNER: _l("The owner's account %(email)s is created."),
           STAFF_ROLE: _l("The staff account %(email)s is created.")}


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
        raise Refusal(_("An account for %(email)s exists already.", email=email))
    with models.db.atomic():
        user = create_user(email, name or email.split("@")[0], role)
        if link:
            click.echo(CREATED[role] % {"email": user.email})
            click.echo(_("Its one-time link to set a password, valid for 48 hours (open it "
                         "in a browser):"))
            click.echo(_invitation_link(user))
            return
        while True:
            password = _ask_password()
            if password is None:
                continue
            try:
                user.set_password(password)
                break
            except WeakPassword as problem:
                click.echo(str(PASSWORD_PROBLEMS[problem.code]))
        user.save()
    click.echo(CREATED[role] % {"email": user.email})


def _ask_password():
    """The new password, asked twice; None when the two differ."""
    password = click.prompt(_("Password"), hide_input=True)
    if click.prompt(_("The password again"), hide_input=True) != password:
        click.echo(_("The two passwords differ. Type them again."))
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
            raise Refusal(_("There is no account for %(email)s.", email=email))
        link = _invitation_link(user)
    click.echo(_("The one-time link for %(email)s to set a new password, valid for 48 hours "
                 "(open it in a browser):", email=user.email))
    click.echo(link)


@click.command("outbox")
@with_appcontext
def outbox_command():
    """Send the e-mail that is due, once."""
    with models.db.connection_context():
        sent = worker.send_due()
    click.echo(_("E-mail: sent %(sent)d, failed %(failed)d (tried again later), could not "
                 "be written %(given_up)d, skipped %(skipped)d.", sent=sent.sent,
                 failed=sent.failed, given_up=sent.given_up, skipped=sent.skipped))


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
def retention_command(dry_run):
    """Delete the personal data past its retention period (the worker does it daily)."""
    now = clock.now()
    with models.db.connection_context():
        counts = retention.purge(now, dry_run=dry_run)
        lines = _retention_report(counts, dry_run)
    click.echo(_("A trial run of the purge of data past its period, %(moment)s: nothing "
                 "was deleted.", moment=moment_text(now)) if dry_run else
               _("The purge of data past its period, %(moment)s.", moment=moment_text(now)))
    for line in lines:
        click.echo(line)


def _retention_report(counts, dry_run):
    """Each category: how long it is kept, and what the purge deleted (or would)."""
    lines = []
    for rule in retention.RULES:
        lines.append(_kept_line(rule.category))
        if rule.with_it:
            lines.append("    " + _("With it go: %(names)s.", names=", ".join(
                str(RECORD_CATEGORY_NAMES[category.key]) for category in rule.with_it)))
        numbers = ", ".join(f"{PURGED_NAMES.get(what, what)} {number}"
                            for what, number in counts[rule.category.key].items())
        lines.append("    " + (_("Would delete: %(numbers)s", numbers=numbers) if dry_run
                               else _("Deleted: %(numbers)s", numbers=numbers)))
    for category in retention.NOT_PURGED:
        lines += [_kept_line(category),
                  "    " + _("Not purged automatically: the owner disables or removes "
                             "the accounts.")]
    return lines


def _kept_line(category):
    return _("%(name)s: %(period)s", name=RECORD_CATEGORY_NAMES[category.key],
             period=retention_text(category, periods.months(category)))


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
    click.echo(_("The worker is running; Ctrl+C stops it."))
    with contextlib.suppress(KeyboardInterrupt):
        worker.run_forever(stop=lambda: bool(stopping))
    click.echo(_("The worker has stopped."))


@click.command("backup")
@with_appcontext
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the backup here, outside the rotation, instead of the backup folder.")
def backup_command(output):
    """Make an encrypted, checked backup of the database (the worker makes one daily)."""
    settings = worker.backup_settings()
    if not settings.recipients:
        raise Refusal(BACKUPS_OFF)
    try:
        made = keeping.back_up(settings, clock.now(), output)
    except BackupError as problem:  # its reason is in English (models/backups)
        raise Refusal(_("The backup could not be made: %(problem)s", problem=problem)) \
            from None
    values = {"path": made.path, "size": size_text(made.size),
              "seconds": decimal_text(made.seconds)}
    click.echo(_("The backup is written to %(path)s (%(size)s, %(seconds)s s), then "
                 "decrypted and opened again: it is whole.", **values) if made.checked else
               _("The backup is written to %(path)s (%(size)s, %(seconds)s s); it was not "
                 "opened again to check it.", **values))


@click.command("backup-key")
@with_appcontext
@click.argument("keyfile", type=click.Path(dir_okay=False, path_type=Path))
def backup_key_command(keyfile):
    """Make an age key pair for backups: the key file that opens them (keep it away from
    the server) and the public key for VUORO_BACKUP_RECIPIENTS."""
    text, public = archive.new_key_pair(clock.now())
    try:
        descriptor = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise _not_overwritten(keyfile) from None
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    click.echo(_("The key file is written to %(path)s. Keep it safe and away from this "
                 "server: it alone opens the backups.", path=keyfile))
    click.echo(_("Public key: %(key)s", key=public))
    click.echo(_("Set on the server:"))
    click.echo(f"VUORO_BACKUP_RECIPIENTS={public}")


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
    except BackupError as problem:  # its reason is in English (models/backups)
        raise Refusal(_("The backup could not be restored: %(problem)s", problem=problem)) \
            from None
    click.echo(_("The backup made %(moment)s is restored, and the database brought up to "
                 "date (changes: %(changes)d). Erasures made after the backup, done again: "
                 "%(erasures)d (records deleted again: %(records)d).",
                 moment=moment_text(datetime.fromisoformat(done.manifest["made_at"])),
                 changes=len(done.migrated), erasures=done.replayed, records=done.records))


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
@click.option("--language", type=click.Choice(LANGUAGES), default=None,
              show_default="the business's language",
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
        raise Refusal(_("--what: there is no table %(name)s; choose from %(tables)s, or all.",
                        name=str(unknown), tables=", ".join(TABLES))) from None
    language = language or business_language()
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
    values = {"path": output, "rows": rows, "tables": ", ".join(
        f"{TABLE_TITLES[name]} {number}" for name, number in counts.items())}
    click.echo(_("Exported into the folder %(path)s, one CSV file per table: %(tables)s "
                 "(rows in all: %(rows)d).", **values) if format_ == CSV else
               _("Exported into the zip file %(path)s: %(tables)s (rows in all: %(rows)d).",
                 **values) if format_ == CSV_ZIP else
               _("Exported into the file %(path)s: %(tables)s (rows in all: %(rows)d).",
                 **values))


def _day(text, option):
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise Refusal(_("%(option)s %(value)s: write the date as YYYY-MM-DD, e.g. "
                        "2026-11-01.", option=option, value=text)) from None


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
@click.option("--language", type=click.Choice(LANGUAGES), default=None,
              show_default="the business's language",
              help="The language of the CSV's column names.")
def export_accounting_command(first_text, last_text, format_, output, language):
    """Hand the period's invoices, credit notes and receipts over to the accounting
    program. The export is in the audit log."""
    first, last = _day(first_text, "--from"), _day(last_text, "--to")
    language = language or business_language()
    if first > last:
        raise Refusal(_("The first day (--from %(first)s) is after the last (--to %(last)s).",
                        first=first_text, last=last_text))
    if format_ == handover_files.CSV and output.exists():
        raise _not_overwritten(output)
    if format_ == handover_files.FINVOICE and output.exists() and (
            not output.is_dir() or any(output.iterdir())):
        raise Refusal(_("%(path)s exists already and is not an empty folder; nothing is "
                        "overwritten.", path=output))
    with models.db.connection_context():
        if format_ == handover_files.CSV:
            content, count = handover_files.csv_bytes(first, last, language)
            with open(output, "xb") as file:
                file.write(content)
        else:
            count = handover_files.write_finvoice_folder(first, last, output)
        audit_record("data.export", details=handover_files.audit_details(
            "on the command line", format_, first, last, count))
    values = {"first": date_text(first), "last": date_text(last), "path": output,
              "count": count}
    click.echo(_("Handed over to accounting, %(first)s–%(last)s: voucher lines %(count)d, "
                 "in the file %(path)s.", **values) if format_ == handover_files.CSV else
               _("Handed over to accounting, %(first)s–%(last)s: Finvoice files of invoices "
                 "and credit notes %(count)d, in the folder %(path)s.", **values))


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
    click.echo(ngettext("Statistics: %(num)d record of earlier days' visits is added to "
                        "the per-day counts.",
                        "Statistics: %(num)d records of earlier days' visits are added to "
                        "the per-day counts.", rolled))


COMMANDS = (init_db_command, demo_command, create_user_command, reset_password_command,
            outbox_command, worker_command, retention_command, backup_command,
            backup_key_command, restore_command, export_group, analytics_group)


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)
