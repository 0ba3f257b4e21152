"""Language choice and Finnish formats: ti 24.11.2026, klo 14.30, 45,00 €."""

import hashlib
from datetime import UTC
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, get_day_names
from babel.numbers import format_currency, format_decimal
from flask import current_app, g, has_request_context, request, url_for
from flask_babel import get_locale, gettext

from engines.clock import local
from models import read_scope
from models.people.customers import display_phone

LANGUAGES = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}
LANGUAGE_COOKIE = "lang"
# Finnish conventions in every language: Babel's Finnish variants of sv and en.
FORMAT_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}


def chosen_language():
    """The language the visitor chose (its cookie); before any choice, the first of
    the browser's languages we have, and Finnish when it asks for none of them. Without
    a request (the command line), the business's own language."""
    if not has_request_context():
        return business_language()
    language = request.cookies.get(LANGUAGE_COOKIE)
    if language in LANGUAGES:
        return language
    return request.accept_languages.best_match(LANGUAGES, default="fi")


def business_language():
    """The language the business speaks on the command line: VUORO_LANGUAGE, Finnish
    unless set."""
    language = current_app.config.get("LANGUAGE")
    return language if language in LANGUAGES else "fi"


def vary_by_language(response):
    """A page's language follows the browser's until the visitor chooses one."""
    if request.endpoint != "static":
        response.vary.add("Accept-Language")
    return response


def language():
    return str(get_locale())


def _format_locale():
    return FORMAT_LOCALES.get(language(), "fi_FI")


def _local(moment):
    """An aware moment on Helsinki clocks; a naive one is taken as written there."""
    return local(moment) if moment.tzinfo else moment


@cache
def _weekday_abbreviations(format_locale):
    """The weekdays as Babel's EEE writes them (ma, ti, ...), Monday first: read once
    per language, not by a Babel call for every date of a long list."""
    names = get_day_names("abbreviated", context="format", locale=format_locale)
    return tuple(names[weekday] for weekday in range(7))


def date_text(day):
    """ti 24.11.2026 (what Babel's "EEE d.M.yyyy" writes, from the names read once)"""
    weekday = _weekday_abbreviations(_format_locale())[day.weekday()]
    return f"{weekday} {day.day}.{day.month}.{day.year}"


def long_date_text(day):
    """tiistai 24. marraskuuta 2026"""
    return format_date(day, "full", locale=_format_locale())


def weekday_name(weekday):
    """maanantai for 0"""
    return get_day_names("wide", locale=_format_locale())[weekday]


# "klo %(time)s" and the like, translated once per language.
_AT_PATTERNS = {}


def time_text(moment):
    """klo 14.30"""
    lang = language()
    pattern = _AT_PATTERNS.get(lang)
    if pattern is None:
        pattern = _AT_PATTERNS[lang] = str(gettext("at %(time)s"))
    return pattern % {"time": clock_text(moment)}


def clock_text(moment):
    """14.30, for lists of times where "klo" would only repeat itself."""
    local = _local(moment)
    return f"{local.hour}.{local.minute:02d}"


def moment_text(utc):
    """A stored (naive UTC) moment in Helsinki time: ti 24.11.2026 klo 14.30."""
    local_moment = local(utc)
    return f"{date_text(local_moment.date())} {time_text(local_moment)}"


def start_param(moment):
    """A time as it travels in a link or a hidden field: UTC, to the minute."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def day_param(moment):
    """The Helsinki date of a time, as it travels in a link."""
    return _local(moment).date().isoformat()


def money_text(cents):
    """45,00 €"""
    return format_currency(Decimal(cents).scaleb(-2), "EUR", locale=_format_locale())


def decimal_text(value):
    """12,3 (one decimal at most)"""
    return format_decimal(value, "#,##0.#", locale=_format_locale())


def percent_text(value):
    return decimal_text(value) + " %"


def size_text(size):
    """12,3 MB"""
    if size < 1_000_000:
        return f"{decimal_text(size / 1000)} kB"
    return f"{decimal_text(size / 1_000_000)} MB"


@cache
def _file_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename):
    """A static file's address with its content hash, so it can be cached for a
    year and still change the moment the file does."""
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=_file_hash(str(path)))


def _open_read_scope():
    if request.method in ("GET", "HEAD"):
        g.read_scope = read_scope.begin()


def _close_read_scope(_error=None):
    token = g.pop("read_scope", None)
    if token is not None:
        read_scope.end(token)


def init_app(app):
    app.after_request(vary_by_language)
    # A page's settings read once (models.read_scope); here beside the per-request
    # language, as both are about what one page shows.
    app.before_request(_open_read_scope)
    app.teardown_request(_close_read_scope)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        date=date_text,
        long_date=long_date_text,
        weekday_name=weekday_name,
        time=time_text,
        clock=clock_text,
        money=money_text,
        percent=percent_text,
        phone=display_phone,
        start_param=start_param,
        day_param=day_param,
    )
    app.jinja_env.globals.update(
        static_url=static_url,
        moment_text=moment_text,
        local_time=local,
        language=language,
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )


def country_name(code):
    """The country's name in the language being rendered."""
    return Locale.parse(FORMAT_LOCALES[language()]).territories.get(code, code)
