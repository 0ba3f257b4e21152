"""Vuoro: the booking site and back office of a small Finnish service business."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import Flask, g
from flask_babel import Babel
from flask_babel import gettext as _
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import cli
import models
from models.backups import BackupError, archive
from views.owner import analytics as statistics_dashboard
from views.owner import backups, exports, newsletter, records, sent_mail, setup
from views.owner import money as money_settings
from views.owner import settings as owner
from views.public import analytics as statistics
from views.public import booking, consent, contact, health, my_data
from views.public import pages as public
from views.staff import auth, calendar, customers, inbox, money, money_reports
from views.staff import data_requests as requests
from web import (
    analytics,
    audit_words,
    errors,
    formatting,
    kept_pages,
    limits,
    security,
    static_files,
    wording,
)
from web import logging as request_logs
from web.access import login_manager
from worker import delivery

BACK_OFFICE = (auth.blueprint, auth.account, calendar.blueprint, customers.blueprint,
               owner.blueprint, sent_mail.blueprint, inbox.blueprint, records.blueprint,
               requests.blueprint, newsletter.blueprint, money.blueprint,
               money_settings.blueprint, backups.blueprint, setup.blueprint,
               exports.blueprint, money_reports.blueprint,
               statistics_dashboard.blueprint)

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
htmx = Htmx()

DEFAULTS = {
    # The business's own language, fi, sv or en: the command line speaks it.
    "LANGUAGE": "fi",
    # Where the data lives: SQLite in instance/ by default, or postgresql://…
    "DATABASE_URL": "sqlite:///instance/vuoro.db",
    # Signs sessions and form tokens; generated into instance/secret_key when unset.
    "SECRET_KEY": "",
    # Local development over plain http: session cookies without the Secure flag.
    "DEVELOPMENT": False,
    # How many reverse proxies stand in front (their X-Forwarded-* headers are trusted).
    "PROXIES": 0,
    # Where login and form throttling counts live: database:// (the site's own
    # database, shared by every app server process), or redis://host:6379; memory://
    # counts in each process alone, only for a test or a developer who asks for it.
    "RATELIMIT_STORAGE_URL": "database://",
    # The site's address, for links in e-mail and on the command line.
    "BASE_URL": "http://127.0.0.1:5000",
    # Outgoing e-mail: smtp+starttls://user:password@host:587 (or smtps://…:465, or
    # smtp://host:25 for a local relay), or the SMTP_* parts one by one. With none,
    # messages are written to instance/mail/ and shown in the back office.
    "SMTP_URL": "",
    "SMTP_HOST": "",
    "SMTP_PORT": "",
    "SMTP_SECURITY": "starttls",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    # The sender's address; the business's own e-mail address when unset.
    "MAIL_FROM": "",
    # Backups: the age public keys (age1…, comma-separated) they are encrypted for (none:
    # no backups), their folder (instance/backups when unset), how many daily and
    # monthly ones are kept, and a second place: a folder, or a command with {file}.
    "BACKUP_RECIPIENTS": "",
    "BACKUP_DIR": "",
    "BACKUP_DAILY": 14,
    "BACKUP_MONTHLY": 12,
    "BACKUP_COPY": "",
}


class SettingError(cli.Refusal, ValueError):
    """A setting that cannot be right: the app and the CLI stop with one line naming it,
    in the business's language."""


def _from_environment(config, defaults):
    """Set `config` from the VUORO_… variables, one by one in the order of `defaults`, so
    that the language (the first) already speaks when a later one is wrong."""
    for key, default in defaults.items():
        value = os.environ.get(f"VUORO_{key}")
        if value is None:
            continue
        if isinstance(default, bool):
            config[key] = value.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            config[key] = _whole_number(key, value)
        else:
            config[key] = value


def _whole_number(key, value):
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        raise SettingError(_("%(setting)s must be a whole number (0 or more), not %(value)s.",
                             setting=f"VUORO_{key}", value=repr(value)))
    return int(text)


def check_settings(config):
    """Stop at the start, with a line that names the setting, when one cannot be right
    (said in the business's language: run in the app context)."""
    if config["LANGUAGE"] not in formatting.LANGUAGES:
        raise SettingError(_("%(setting)s must be fi, sv or en, not %(value)s.",
                             setting="VUORO_LANGUAGE", value=repr(config["LANGUAGE"])))
    base = urlsplit(config["BASE_URL"])
    if base.scheme not in ("http", "https") or not base.hostname:
        raise SettingError(_("%(setting)s must be the site's address, e.g. %(example)s, not "
                             "%(value)s.", setting="VUORO_BASE_URL",
                             example="https://ajanvaraus.example.fi",
                             value=repr(config["BASE_URL"])))
    if config["MAIL_FROM"]:
        try:
            validate_email(config["MAIL_FROM"], check_deliverability=False)
        except EmailNotValidError:
            raise SettingError(_("%(setting)s must be an e-mail address, not %(value)s.",
                                 setting="VUORO_MAIL_FROM",
                                 value=repr(config["MAIL_FROM"]))) from None
    if config["SMTP_PORT"]:
        port = _whole_number("SMTP_PORT", config["SMTP_PORT"])
        if not 0 < port < 65536:
            raise SettingError(_("%(setting)s must be between 1 and 65535, not %(value)s.",
                                 setting="VUORO_SMTP_PORT", value=port))
    try:
        delivery.smtp_settings(config)
    except ValueError as problem:
        raise SettingError(str(problem)) from None
    for key in (key.strip() for key in config["BACKUP_RECIPIENTS"].split(",")):
        try:
            if key:
                archive.recipients([key])
        except BackupError:
            raise SettingError(_("%(setting)s: %(value)s… is not an age public key (age1…).",
                                 setting="VUORO_BACKUP_RECIPIENTS", value=key[:12])) from None
    if urlsplit(config["DATABASE_URL"]).scheme not in ("sqlite", "postgres", "postgresql"):
        raise SettingError(_("%(setting)s must start with sqlite:/// or postgresql://, not "
                             "%(value)s.", setting="VUORO_DATABASE_URL",
                             value=repr(config["DATABASE_URL"])))


def _secret_key(instance_path):
    """The key from instance/secret_key, made on first run, so sessions and form
    tokens survive a restart without anyone having to configure one."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class IdConverter(IntegerConverter):
    """The <int:…> of every route: the digits 0-9, at most the largest number the
    database holds, so that an address with a larger one names nothing (404); SQLite
    could not even look it up."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=models.LARGEST_NUMBER,
                 signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


class Vuoro(Flask):
    def send_static_file(self, filename):
        """A static file read whole rather than streamed (the few files are small, and
        Flask-Compress's streaming path would leave the file open), then compressed once
        per process at the highest level (web/static_files.py)."""
        response = super().send_static_file(filename)
        if response.is_streamed:
            response.direct_passthrough = False
            body = response.get_data()
            response.close()
            response.set_data(body)
        return static_files.compressed_once(filename, response)


def create_app(config=None):
    app = Vuoro(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.update(DEFAULTS)
    app.config.update(
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="fi",
        BABEL_DEFAULT_TIMEZONE="Europe/Helsinki",
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,
        COMPRESS_MIMETYPES=[
            "text/html", "text/css", "text/javascript", "application/javascript",
            "text/calendar", "image/svg+xml",
        ],
        # The free-time pages kept by generation are compressed once (web/kept_pages.py).
        COMPRESS_CACHE_KEY=kept_pages.compression_key,
        COMPRESS_CACHE_BACKEND=kept_pages.CompressedPages,
    )
    babel.init_app(app, locale_selector=formatting.chosen_language)
    with app.app_context():  # a wrong setting is told in the business's language
        _from_environment(app.config, DEFAULTS)
        app.config.update(config or {})
        check_settings(app.config)
    app.config["SESSION_COOKIE_SECURE"] = not app.config["DEVELOPMENT"]
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    if app.config["PROXIES"]:
        count = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    models.open_database(app.config["DATABASE_URL"], root=app.root_path)
    request_logs.init_app(app)  # first: every later hook's log lines carry the id
    compress.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    limits.init_app(app)

    app.before_request(_connect)
    app.teardown_appcontext(_close)
    security.init_app(app)
    formatting.init_app(app)
    audit_words.init_app(app)
    wording.init_app(app)
    errors.init_app(app)
    analytics.init_app(app)
    app.register_blueprint(health.blueprint)
    for blueprint in (public.blueprint, booking.blueprint, contact.blueprint,
                      my_data.blueprint, consent.blueprint, statistics.blueprint):
        csrf.exempt(blueprint)  # public forms carry a session-less token instead
        app.register_blueprint(blueprint)
    for blueprint in BACK_OFFICE:
        app.register_blueprint(blueprint)

    cli.init_app(app)
    return app


def _connect():
    models.db.connect(reuse_if_open=True)
    g.db_open = True


def _close(exception):
    if g.pop("db_open", False) and not models.db.is_closed():
        models.db.close()
