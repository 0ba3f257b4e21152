"""The machinery of the hostile-input test: a fixed corpus of hostile values, a
crawler that finds the site's pages and forms as a browser does, and a sender that
records every request, which keys of the query and the form the code read, and every
answer of 500 or more.

Nothing here lists the site's routes, parameters or fields: the routes come from the
app's url_map, the pages and forms from crawling it, and the parameters and fields
from what the code reads (the form's fields, `request.args`), recorded as it runs."""

import re
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from unittest.mock import patch
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from itsdangerous.timed import TimestampSigner
from support import PASSWORD, csrf_token
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

ROOT = Path(__file__).resolve().parent.parent

# Each value stands for a kind of input that has broken a site like this one.
HOSTILE = (
    "Maija\x00Meikäläinen",           # NUL: PostgreSQL refuses it in any text
    "\x01\x08\x0b\x1b[2J\x7f\x85\x9b",  # other C0 and C1 control characters
    "Maija\r\nBcc: eve@example.com",  # a line break, as in a forged e-mail header
    "\ud800x\udfff",                  # lone surrogates (sent as the bytes UTF-8 would be)
    "\u202eevil\u200f\u2066كشف😀",      # right-to-left marks, an isolate, an emoji
    "x" * 100_000,                    # 100 kB
    "²",                              # '²'.isdigit() is true, int('²') fails
    "١٢٣",                            # Arabic-Indic digits, which int() reads as 123
    "9223372036854775808",            # 2**63: one past a 64-bit integer
    "9" * 5000,                       # past the digits int() reads at all
    "-1",
    "9999-12-31",                     # the last day a date can hold
    "9999-12-31T23:59:00+00:00",      # ... and a moment that is past it in Helsinki
    "0001-01-01T00:00:00+14:00",      # a moment before the first day in UTC
    "",
)
# What fills a path part: the hostile values above for text, these for numbers.
HOSTILE_IDS = ("0", "9223372036854775807", "9223372036854775808", "9" * 30, "²")
HOSTILE_HEADERS = {
    "Range": "bytes=99999999-",
    "If-Modified-Since": "Tue, 31 Dec 9999 23:59:59 GMT",
    "If-None-Match": '"\x7f"',
    "Accept-Language": "x" * 300,
    "HX-Request": "true",
    "HX-Current-URL": "http://example.com/\x01",
}
BODIES = (  # bodies of the wrong kind for every POST route: (content type, body)
    ("application/json", b'{"name": ["a", {"b": 1}], "email": 5, "staff": null}'),
    ("application/json", b'[1, 2, "three"]'),
    ("application/json", b'{"name": '),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data; "
                                          b'name="name"\r\n\r\nMaija\r\n--x'),
    ("multipart/form-data", b"no boundary at all"),
    ("application/x-www-form-urlencoded", b"name=%ZZ&&=&email=%00&staff=%C0%AF"),
    ("text/plain", b"name=Maija"),
)
LOGIN = "/staff/login"


def encoded(pairs):
    """`pairs` as a query string or a form body, every value as the bytes UTF-8 would
    give it (a lone surrogate included, which a browser could send as such bytes)."""
    return "&".join(f"{quote_plus(name)}={quote_plus(value.encode('utf-8', 'surrogatepass'))}"
                    for name, value in pairs)


def shown(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(value)} characters)"


class ReadKeys:
    """The keys of the query and of the form that the code read in this request."""

    keys = set()


class RecordingMultiDict(ImmutableMultiDict):
    """request.args and request.form, noting each key the code asks for."""

    def __contains__(self, key):
        ReadKeys.keys.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        ReadKeys.keys.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        ReadKeys.keys.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        ReadKeys.keys.add(key)
        return super().getlist(key, type)


def record_reads(app):
    app.request_class = type("RecordingRequest", (app.request_class,),
                             {"parameter_storage_class": RecordingMultiDict})


# Pages and forms ----------------------------------------------------------------------

@dataclass
class Input:
    name: str
    kind: str  # the input's type, or textarea, select, button
    value: str
    sent: bool  # whether a browser sends it when the form is submitted as it is


@dataclass
class FoundForm:
    method: str
    action: str
    inputs: list = field(default_factory=list)

    def names(self):
        return list(dict.fromkeys(entry.name for entry in self.inputs))

    def families(self):
        """The names, with the first of those that differ only by a number (the rows of
        a list of subforms, days-0-rows-1-start) standing for all of them."""
        found = {}
        for name in self.names():
            found.setdefault(family(name), name)
        return list(found.values())

    def kinds(self):
        return {entry.name: entry.kind for entry in self.inputs}


class PageParser(HTMLParser):
    """The links and forms of a page."""

    LINKS = ("href", "src", "hx-get", "action")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms = [], []
        self.refused = set()  # the names of the inputs marked invalid
        self.form = self.textarea = self.select = None
        self.chosen, self.options = False, 0

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        self.links += [attributes[name] for name in self.LINKS if attributes.get(name)]
        if tag == "option" and self.select is not None:
            # What a select sends: its selected option, else its first.
            value = attributes.get("value") or ""
            if "selected" in attributes:
                self.select.value, self.chosen = value, True
            elif not self.chosen and not self.options:
                self.select.value = value
            self.options += 1
            return
        if tag == "form":
            self.form = FoundForm((attributes.get("method") or "get").lower(),
                                  attributes.get("action") or "")
            return
        if self.form is None or not attributes.get("name"):
            return
        name = attributes["name"]
        if attributes.get("aria-invalid") == "true":
            self.refused.add(name)
        if tag == "input":
            kind = attributes.get("type", "text")
            sent = kind not in ("checkbox", "radio", "submit") or "checked" in attributes
            self.form.inputs.append(Input(name, kind, attributes.get("value") or "", sent))
        elif tag == "textarea":
            self.textarea = Input(name, "textarea", "", True)
            self.form.inputs.append(self.textarea)
        elif tag == "select":
            self.select = Input(name, "select", "", True)
            self.chosen, self.options = False, 0
            self.form.inputs.append(self.select)
        elif tag == "button":
            self.form.inputs.append(Input(name, "button", attributes.get("value") or "",
                                          False))

    def handle_startendtag(self, tag, attributes):
        self.handle_starttag(tag, attributes)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def family(name):
    return re.sub(r"-[0-9]+-", "-N-", name)


def parse_page(html):
    parser = PageParser()
    parser.feed(html)
    return parser


def plausible(entry, number):
    """What a person would type in an empty input, so that the form gets past it."""
    name, kind = entry.name, entry.kind
    day = (datetime.now(UTC) + timedelta(days=15)).date()
    if kind == "email" or "email" in name:
        return f"kokeilu{number}@example.fi"
    if kind == "tel" or "phone" in name:
        return f"040 123 {number % 10000:04d}"
    if kind == "password":
        return PASSWORD
    if kind == "date" or name.endswith("day"):
        return day.isoformat()
    if kind == "datetime-local" or name.endswith("_at"):
        return "2025-01-02T10:00"
    if kind == "time" or name in ("start", "end", "other_time"):
        return "10.00"
    if "postal" in name:
        return "00100"
    if kind == "number" or name in ("months",):
        return "1"
    return "Kokeilu"


# Sending --------------------------------------------------------------------------

@dataclass
class Visitor:
    role: str
    client: object
    email: str = ""
    csrf: str = ""

    def log_in(self):
        page = self.client.get(LOGIN)
        response = self.client.post(LOGIN, data={
            "csrf_token": csrf_token(page.text), "email": self.email, "password": PASSWORD})
        if response.status_code != 303:
            return False
        self.csrf = csrf_token(self.client.get(response.headers["Location"]).text)
        return True


@dataclass
class Answer:
    status: int
    location: str = ""
    text: str = ""
    read: frozenset = frozenset()


class Fuzzer:
    """Sends requests, and keeps count of them, the routes they reached and every one
    answered with 500 or more."""

    def __init__(self, app):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.requests = 0
        self.routes = set()
        self.failures = []

    def rule_of(self, method, path):
        try:
            rule, _ = self.adapter.match(path, method=method, return_rule=True)
        except HTTPException:  # none, a redirect, or a method not allowed
            return None
        return rule

    def send(self, visitor, method, path, query="", body=None, content_type=None,
             headers=None, again=True):
        self.requests += 1
        number = self.requests
        headers = dict(headers or {})
        if visitor.csrf and method == "POST":
            headers.setdefault("X-CSRFToken", visitor.csrf)
        ReadKeys.keys = set()
        try:
            response = visitor.client.open(
                path, method=method, query_string=query, data=body,
                content_type=content_type, headers=headers,
                environ_base={"REMOTE_ADDR": f"10.{number >> 16 & 255}.{number >> 8 & 255}."
                                             f"{number & 255}"})
        except Exception as error:  # TESTING lets the exception through: it is a 500
            self.fail(visitor, method, path, query, body, 500, _where(error))
            return Answer(500)
        read = frozenset(ReadKeys.keys)
        rule = self.rule_of(method, path)
        if rule is not None:
            self.routes.add((rule.rule, method))
        location = response.headers.get("Location", "")
        ended = visitor.email and urlsplit(location).path == LOGIN and path != LOGIN
        # The session ended (a hostile value logged the visitor out): log in again and
        # send this request once more, so that it reaches what it was meant to.
        if ended and again and visitor.log_in():
            return self.send(visitor, method, path, query, body, content_type, headers,
                             again=False)
        if response.status_code >= 500:
            self.fail(visitor, method, path, query, body, response.status_code,
                      " ".join(response.text.split())[:200])
        content = response.headers.get("Content-Type", "")
        text = response.get_data(as_text=True) if content.startswith(("text/", "message/")) \
            else ""
        return Answer(response.status_code, location, text, read)

    def fail(self, visitor, method, path, query, body, status, why):
        sent = f"?{query[:120]}" if query else ""
        if isinstance(body, str):
            sent += f" body {body[:160]}"
        elif body:
            sent += f" body {body[:80]!r}"
        self.failures.append(f"{visitor.role}: {method} {path[:120]}{sent} -> {status} {why}")


def _where(error):
    """The exception and the line of the project it came from."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if str(ROOT) in frame.filename and "/.venv/" not in frame.filename]
    place = f" at {Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno}" \
        if frames else ""
    return f"{type(error).__name__}: {str(error)[:100]}{place}"


def forms_opened_long_ago():
    """Public form tokens made meanwhile say they were handed out 10 s ago, so that a
    form sent at once is not refused as sent by a program."""
    return patch.object(TimestampSigner, "get_timestamp", lambda signer: int(time.time()) - 10)


class Site:
    """What the crawl found: real addresses of the rules, and the forms (by visitor
    role, the route they post to and their fields)."""

    def __init__(self, fuzzer):
        self.fuzzer = fuzzer
        self.addresses = defaultdict(list)  # a rule's path -> real addresses found
        self.finders = {}  # a rule's path -> the first role that found it
        # (a rule's path, the form's kinds of field) -> (role, action, FoundForm)
        self.forms = {}
        # a rule's path -> the query parameters its links and GET forms send
        self.query_names = defaultdict(set)
        self.seen = set()

    def crawl(self, visitor, roots, per_rule=2):
        queue = list(roots)
        while queue:
            address = queue.pop(0)
            parts = urlsplit(address)
            path, query = parts.path, parts.query
            rule = self.fuzzer.rule_of("GET", path)
            if rule is None or (visitor.role, address) in self.seen:
                continue
            known = self.addresses[rule.rule]
            if address not in known and len(known) >= per_rule:
                continue
            self.seen.add((visitor.role, address))
            self.query_names[rule.rule] |= {name for name, _ in parse_qsl(query)}
            if address not in known:
                known.append(address)
            if rule.endpoint == "static":
                self.finders.setdefault(rule.rule, visitor.role)
                continue
            answer = self.fuzzer.send(visitor, "GET", path, query=query)
            if answer.status == 200:
                self.finders.setdefault(rule.rule, visitor.role)
            queue += self.found_in(visitor, path, answer)

    def found_in(self, visitor, path, answer):
        """The addresses on a page (and where it sent the visitor), and its forms."""
        addresses = [answer.location] if answer.location else []
        if not answer.text:
            return [self.local(address, path) for address in addresses if address]
        page = parse_page(answer.text)
        addresses += page.links + re.findall(r"https?://127\.0\.0\.1:5000(/[^\s\"'<>]*)",
                                             answer.text)
        for form in page.forms:
            action = self.local(form.action, path) or path
            rule = self.fuzzer.rule_of("POST" if form.method == "post" else "GET",
                                       urlsplit(action).path)
            if rule is not None and form.method == "get":
                self.query_names[rule.rule] |= set(form.names())
            if rule is not None and form.method == "post":
                # One form of each kind per route: the rows of a list, or the same form
                # under another prefix (one per retention category), are one kind.
                kind = sorted({name.rpartition("-")[2] for name in form.names()})
                self.forms.setdefault((rule.rule, tuple(kind)), (visitor.role, action, form))
        return [local for address in addresses if (local := self.local(address, path))]

    @staticmethod
    def local(address, here):
        address = address.replace("&amp;", "&").strip()
        if not address or address.startswith(("//", "#", "mailto:", "tel:", "data:")):
            return None
        parts = urlsplit(address)
        if parts.scheme and parts.netloc not in ("localhost", "127.0.0.1:5000"):
            return None
        if not parts.path.startswith("/"):
            return None if parts.path else here + (f"?{parts.query}" if parts.query else "")
        return parts.path + (f"?{parts.query}" if parts.query else "")


PATH_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def hostile_paths(rule, fuzzer, real_address):
    """`rule`'s path with one part at a time replaced by a hostile value, the other
    parts as in `real_address` (a real address of the rule), or 1 without one."""
    real = {}
    if real_address:
        method = "GET" if "GET" in rule.methods else "POST"
        _, real = fuzzer.adapter.match(urlsplit(real_address).path, method=method)
    for converter, name in PATH_PART.findall(rule.rule):
        values = HOSTILE_IDS if converter == "int" else (*HOSTILE[:6], "..", "a/../../b")
        for value in values:
            parts = {other: str(real.get(other, 1)) for _, other in PATH_PART.findall(rule.rule)}
            parts[name] = value
            yield PATH_PART.sub(
                lambda found, parts=parts: quote(
                    parts[found[2]].encode("utf-8", "surrogatepass"), safe=""),
                rule.rule)
