"""Logs as JSON lines, one event a line, without personal data: no names, e-mail
addresses or phone numbers, request paths without their query strings and with the
secrets of links (booking, "my data", invitation tokens) masked, and a request id that
ties the app's lines of one request to the access log's line and to the proxy's.

Used by gunicorn (gunicorn.conf.py: its error and access logs, and the app's own
loggers through the root logger), by the worker and by the command line."""

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import g, request

REQUEST_ID_HEADER = "X-Request-Id"
# A request id the proxy sets is kept when it is this plain (Caddy's and most proxies'
# ids are); anything else is replaced with one of our own.
PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

current_request_id = contextvars.ContextVar("request_id", default=None)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number as people type it: a + or a 0 first, then at least seven more digits,
# with single spaces or dashes between (so dates and times are left alone).
PHONE = re.compile(r"(?<![\w+])(?:\+|0)\d(?:[ -]?\d){6,}(?!\w)")
# A path segment that is a link's secret: long, and not a plain word of an address.
SECRET_SEGMENT = re.compile(r"(?=.{16,})(?![a-z-]+$)[A-Za-z0-9._~=-]+")
# A link's secret anywhere in a message (Flask names the path of a failed request).
SECRET_WORD = re.compile(r"(?<![\w.~=-])(?=[\w.~=-]*\d)(?=[\w.~=-]*[A-Za-z])[\w.~=-]{24,}")
MASK = "…"

# LogRecord's own attributes; whatever else a record has was given with `extra=`.
RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrubbed(text):
    """`text` with e-mail addresses, phone numbers and links' secrets taken out."""
    return SECRET_WORD.sub(MASK, PHONE.sub("[phone]", EMAIL.sub("[e-mail]", text)))


def safe_path(path):
    """A request path as a log may keep it: no query string, secrets masked."""
    path = path.split("?", 1)[0]
    if path.startswith("/static/"):
        return path
    return "/".join(MASK if SECRET_SEGMENT.fullmatch(part) else part
                    for part in path.split("/"))


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request id when
    there is one, and the fields given with `extra=`; an error's traceback as text."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrubbed(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id.get()
        if request_id:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in RECORD_ATTRIBUTES and key not in line:
                line[key] = scrubbed(value) if isinstance(value, str) else value
        if record.exc_info:
            line["error"] = scrubbed(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level=logging.INFO, stream=None):
    """Send every logger's lines (the root logger's handler) to `stream` (stderr) as
    JSON lines: for the worker and the command line."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def request_id_of(value):
    """The proxy's request id when it is plain, otherwise a new one."""
    if value and PLAIN_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def _start():
    g.request_id = request_id_of(request.headers.get(REQUEST_ID_HEADER))
    g.request_id_token = current_request_id.set(g.request_id)


def _answer(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or request_id_of(None)
    return response


def _end(exception):
    token = g.pop("request_id_token", None)
    if token is not None:
        current_request_id.reset(token)


def init_app(app):
    """Every request gets an id (the proxy's X-Request-Id, or a new one), which its log
    lines carry and its response echoes."""
    app.before_request(_start)
    app.after_request(_answer)
    app.teardown_request(_end)
