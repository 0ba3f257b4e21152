"""Handing finished messages over: to an SMTP server, or, with none configured, to
`.eml` files in instance/mail/ that the owner can read in the back office."""

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask_babel import gettext as _

SECURITY = ("none", "starttls", "ssl")
URL_SECURITY = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "ssl",
                "smtp+ssl": "ssl"}
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
TIMEOUT = 30


class DeliveryFailed(Exception):
    """The server refused the message or could not be reached; try again later."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: str = ""


def smtp_settings(config):
    """The SMTP server from VUORO_SMTP_URL, or from VUORO_SMTP_HOST and its friends;
    None when neither is set. Raises ValueError for a setting that cannot be right (in
    the business's language, so in the app context)."""
    if config.get("SMTP_URL"):
        parts = urlsplit(config["SMTP_URL"])
        if parts.scheme not in URL_SECURITY:
            # Not the address itself: it may hold the password.
            raise ValueError(_("%(setting)s must start with smtp://, smtp+starttls:// or "
                               "smtps://.", setting="VUORO_SMTP_URL"))
        security = URL_SECURITY[parts.scheme]
        query = parse_qs(parts.query)
        if "starttls" in query and security == "none":
            security = "starttls"
        return SmtpSettings(
            host=parts.hostname or "localhost",
            port=parts.port or DEFAULT_PORTS[security],
            security=security,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )
    if not config.get("SMTP_HOST"):
        return None
    security = (config.get("SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITY:
        raise ValueError(_("%(setting)s must be none, starttls or ssl, not %(value)s.",
                           setting="VUORO_SMTP_SECURITY", value=repr(security)))
    return SmtpSettings(
        host=config["SMTP_HOST"],
        port=int(config.get("SMTP_PORT") or DEFAULT_PORTS[security]),
        security=security,
        user=config.get("SMTP_USER") or "",
        password=config.get("SMTP_PASSWORD") or "",
    )


class SmtpDelivery:
    """One connection for a batch of messages; opened on the first message."""

    def __init__(self, settings):
        self.settings = settings
        self.connection = None

    def _connect(self):
        settings = self.settings
        context = ssl.create_default_context()
        if settings.security == "ssl":
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                          context=context)
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
            if settings.security == "starttls":
                connection.starttls(context=context)
        if settings.user:
            connection.login(settings.user, settings.password)
        return connection

    def send(self, message):
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise DeliveryFailed(describe(error)) from error

    def forget(self, message):
        """Nothing to delete: the server keeps no copy here."""

    def close(self):
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


def describe(error):
    """What went wrong, in a line the owner can show to whoever runs the mail server."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"SMTP {error.smtp_code}: {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "recipient refused: " + ", ".join(
            f"{address} ({code})" for address, (code, _) in error.recipients.items()
        )
    return f"{type(error).__name__}: {error}"


class FileDelivery:
    """Messages written as .eml files, for local use and the demo."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def send(self, message):
        self.directory.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name first: a reader never sees half a file.
        with tempfile.NamedTemporaryFile("wb", dir=self.directory, delete=False,
                                         suffix=".part") as part:
            part.write(bytes(message))
        os.replace(part.name, self.directory / _file_name(message))

    def forget(self, message):
        """Delete the saved copy of a message that must not outlive its sending."""
        (self.directory / _file_name(message)).unlink(missing_ok=True)

    def close(self):
        pass


def _file_name(message):
    """Named by when it was sent and its message id: sorted by name is sorted by time
    (models.messages.outbox.saved_copies finds a message's copy by this name)."""
    sent = parsedate_to_datetime(message["Date"]).strftime("%Y%m%d-%H%M%S")
    return f"{sent}-{message['Message-ID'].strip('<>').partition('@')[0]}.eml"


def delivery_for(config, instance_path):
    settings = smtp_settings(config)
    if settings is None:
        return FileDelivery(mail_folder(instance_path))
    return SmtpDelivery(settings)


def mail_folder(instance_path):
    return Path(instance_path) / "mail"


def forget_saved_mail(instance_path, before):
    """Delete the saved messages written before `before` (aware): they hold personal
    data like the record of sent e-mail, and are kept no longer. How many went."""
    folder = mail_folder(instance_path)
    if not folder.is_dir():
        return 0
    old = [path for path in folder.glob("*.eml") if path.stat().st_mtime < before.timestamp()]
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)
