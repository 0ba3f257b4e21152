"""The owner's view of e-mail: what waits, what failed (to send again), what was sent,
and, while no SMTP server is configured, the messages themselves as saved files."""

import re
from email import message_from_bytes, policy

from flask import Blueprint, abort, current_app, flash, make_response, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engines import clock
from models.messages import outbox
from models.messages.outbox import OutboxMessage, given_up, send_again
from web.access import owner_only
from web.rendering import redirect_after_post, render
from worker.delivery import mail_folder, smtp_settings

blueprint = owner_only(Blueprint("sent_mail", __name__, url_prefix="/staff/mail"))

SHOWN = 50
FILE_NAME = re.compile(r"[\w.-]+\.eml")
KIND_NAMES = {
    outbox.BOOKING_CONFIRMED: _l("Booking confirmation"),
    outbox.BOOKING_REMINDER: _l("Reminder"),
    outbox.BOOKING_CANCELLED: _l("Cancellation"),
    outbox.BOOKING_MOVED: _l("Moved booking"),
    outbox.CONTACT_RECEIVED: _l("Contact request received"),
    outbox.CONTACT_ANSWER: _l("Answer to a contact request"),
    outbox.STAFF_NEW_BOOKING: _l("To staff: new online booking"),
    outbox.STAFF_CANCELLED: _l("To staff: cancelled by the customer"),
    outbox.STAFF_MOVED: _l("To staff: moved by the customer"),
    outbox.STAFF_NEW_CONTACT: _l("To staff: new contact request"),
    outbox.MY_DATA_LINK: _l("Link to the person's own data"),
    outbox.DATA_REQUEST_RECEIVED: _l("Data request received"),
    outbox.DATA_REQUEST_EXTENDED: _l("Data request: more time needed"),
    outbox.DATA_REQUEST_DONE: _l("Data request answered"),
    outbox.DATA_REQUEST_REFUSED: _l("Data request refused"),
    outbox.DATA_ERASED: _l("Data erased"),
    outbox.STAFF_NEW_DATA_REQUEST: _l("To staff: new data request"),
    outbox.NEWSLETTER: _l("News"),
    outbox.ACCOUNT_CHANGED: _l("To staff: a change to how they log in"),
    outbox.INVOICE_SENT: _l("Invoice or credit note"),
    outbox.RECEIPT_SENT: _l("Receipt"),
    outbox.PAYMENT_REMINDER: _l("Payment reminder"),
}


@blueprint.app_context_processor
def mail_helpers():
    def failed_mail_count():
        """Messages given up on, for the owner's navigation."""
        return given_up().count()

    return {"kind_names": KIND_NAMES, "failed_mail_count": failed_mail_count}


@blueprint.get("/")
def index():
    waiting = OutboxMessage.select().where(
        OutboxMessage.sent_at.is_null() & OutboxMessage.failed_at.is_null())
    return render(
        "sent_mail/index.html",
        None,
        failed=list(given_up().order_by(OutboxMessage.failed_at.desc()).limit(SHOWN)),
        waiting=list(waiting.order_by(OutboxMessage.due_at).limit(SHOWN)),
        sent=list(OutboxMessage.select().where(OutboxMessage.sent_at.is_null(False))
                  .order_by(OutboxMessage.sent_at.desc()).limit(SHOWN)),
        smtp=smtp_settings(current_app.config),
        files=saved_files(),
    )


@blueprint.post("/<int:message_id>/send-again")
def send_message_again(message_id):
    if send_again(message_id, clock.now()):
        flash(_("The message will be sent again within a minute."))
    else:
        flash(_("That message is not waiting to be sent again."), "warning")
    return redirect_after_post(url_for(".index"))


def saved_files():
    """The newest .eml files, when messages are saved rather than sent."""
    folder = mail_folder(current_app.instance_path)
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), reverse=True)[:SHOWN]
    return [_summary(path) for path in paths]


def _summary(path):
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    return {"name": path.name, "to": message["To"], "subject": message["Subject"],
            "date": message["Date"]}


def _saved(name):
    if not FILE_NAME.fullmatch(name):
        abort(404)
    path = mail_folder(current_app.instance_path) / name
    if not path.is_file():
        abort(404)
    return message_from_bytes(path.read_bytes(), policy=policy.default)


@blueprint.get("/files/<name>")
def saved_file(name):
    message = _saved(name)
    attachments = [part.get_filename() for part in message.iter_attachments()]
    return render("sent_mail/file.html", None, name=name, message=message,
                  text=message.get_body(("plain",)).get_content(), attachments=attachments)


@blueprint.get("/files/<name>/html")
def saved_file_html(name):
    """The HTML part as the customer's mail program shows it, sandboxed: it may style
    itself but run nothing and load nothing."""
    body = _saved(name).get_body(("html",))
    if body is None:
        abort(404)
    response = make_response(body.get_content())
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'")
    return response
