"""The fi, sv and en message catalogues: complete, compiled, placeholders intact,
and used by the app.

The messages are extracted afresh from the code with babel.cfg, exactly as
`pybabel extract` does (see the commands at the top of babel.cfg), so a text added
in a template or a view without updating the catalogues fails here."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import gettext, ngettext

import models
from engines.clock import HELSINKI
from models.business.catalogue import Service
from web.formatting import start_param

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("fi", "sv", "en")
# The same keywords as the extract command in babel.cfg: Flask-Babel's lazy forms
# on top of Babel's defaults (_, gettext, ngettext, pgettext, …).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# %(name)s, %(num)d, %(rate).1f …: a named placeholder, or %% for a literal sign.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w+)\)[-#0 +]*\d*(?:\.\d+)?(?P<type>[a-zA-Z])|%)"
)


def _key(message_id, context):
    """One message's identity: its context and its msgid (singular form)."""
    singular = message_id[0] if isinstance(message_id, (tuple, list)) else message_id
    return (context, singular)


def _forms(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


@pytest.fixture(scope="module")
def source_messages():
    """{(context, msgid): (msgid forms, first location)} of everything in the code."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, filename="babel.cfg")
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        where = f"{filename}:{lineno}"
        found.setdefault(_key(message, context), (_forms(message), where))
    assert found, "no messages extracted: is babel.cfg right?"
    return found


def _read_po(path):
    with open(path, "rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def catalogues():
    return {
        language: _read_po(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
        for language in LANGUAGES
    }


def _entries(catalog):
    """The real messages of a catalogue (not the header, not obsolete ones)."""
    return [message for message in catalog if message.id]


def test_template_holds_every_message_of_the_code(source_messages):
    template = _read_po(TRANSLATIONS / "messages.pot")
    held = {_key(message.id, message.context) for message in _entries(template)}
    missing = [f"{where}: {key[1]!r}" for key, (_, where) in source_messages.items()
               if key not in held]
    assert not missing, (
        "messages.pot is out of date (run pybabel extract):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_message_of_the_code(
    language, source_messages, catalogues
):
    catalog = catalogues[language]
    by_key = {_key(message.id, message.context): message for message in _entries(catalog)}
    problems = []
    in_order = sorted(source_messages.items(), key=lambda item: item[1][1])
    for key, (forms, where) in in_order:
        message = by_key.get(key)
        if message is None:
            problems.append(f"missing   {where}: {key[1]!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy     {where}: {key[1]!r}")
        elif not all(_forms(message.string)):
            problems.append(f"empty     {where}: {key[1]!r}")
        elif len(forms) > 1 and len(_forms(message.string)) != catalog.num_plurals:
            problems.append(f"plurals   {where}: {key[1]!r}")
        elif len(forms) != len(_forms(message.id)):
            problems.append(f"plurality {where}: {key[1]!r} (run pybabel update)")
    assert not problems, f"{language} catalogue:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_fuzzy_or_empty(language, catalogues):
    """Also the entries the code no longer uses, and the header."""
    catalog = catalogues[language]
    assert not catalog.fuzzy, f"{language}: the header is marked fuzzy"
    bad = [message.id for message in _entries(catalog)
           if message.fuzzy or not all(_forms(message.string))]
    assert not bad, f"{language}: fuzzy or empty entries: {bad}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """The .mo is committed, so it must be compiled from the current .po."""
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    mo_path = folder / "messages.mo"
    assert mo_path.exists(), f"{mo_path} missing: run pybabel compile -d translations"
    with open(mo_path, "rb") as file:
        compiled = read_mo(file)
    expected = {
        (message.context, _forms(message.id)): _forms(message.string)
        for message in _entries(_read_po(folder / "messages.po"))
        if all(_forms(message.string)) and not message.fuzzy
    }
    actual = {
        (message.context, _forms(message.id)): _forms(message.string)
        for message in _entries(compiled)
    }
    assert actual == expected, (
        f"{language}: messages.mo is out of date; run pybabel compile -d translations"
    )


def _placeholders(text):
    """The named placeholders of a text as {name: conversion}; raises on a bare %."""
    found = {}
    for match in PLACEHOLDER.finditer(text):
        if match.group("name"):
            found[match.group("name")] = match.group("type")
    stray = PLACEHOLDER.sub("", text)
    if "%" in stray:
        raise ValueError(f"a lone % (write %% for a percent sign) in {text!r}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_msgid(language, catalogues):
    problems = []
    for message in _entries(catalogues[language]):
        wanted = {}
        for form in _forms(message.id):
            wanted.update(_placeholders(form))
        for form in _forms(message.string):
            try:
                got = _placeholders(form)
                # As Jinja's gettext does: the translation is %-formatted even
                # when the call passes no values.
                form % {name: 1 if kind in "di" else "x" for name, kind in got.items()}
            except (ValueError, TypeError, KeyError) as error:
                problems.append(f"{message.id!r} -> {form!r}: {error}")
                continue
            if got != wanted:
                problems.append(f"{message.id!r} -> {form!r}: has {got}, needs {wanted}")
    assert not problems, f"{language} placeholders:\n" + "\n".join(problems)


# Through the app -----------------------------------------------------------------

HOME_TEXT = {"fi": "Varaa aika", "sv": "Boka tid", "en": "Book an appointment"}
NOT_FOUND_TEXT = {"fi": "Sivua ei löytynyt", "sv": "Sidan hittades inte",
                  "en": "Page not found"}
TEN_O_CLOCK = {"fi": "klo 10.00", "sv": "kl. 10.00", "en": "at 10.00"}
THREE_FREE = {"fi": "3 vapaata", "sv": "3 lediga", "en": "3 free"}
ONE_FREE = {"fi": "1 vapaa", "sv": "1 ledig", "en": "1 free"}


def _choose(client, language):
    """Choose a language as a visitor does; Finnish needs no choice."""
    if language != "fi":
        response = client.get(f"/language/{language}?next=/")
        assert response.status_code == 303
        assert f"lang={language}" in response.headers["Set-Cookie"]


def test_home_page_is_finnish_by_default(client, shop):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert "Varaa aika" in html
    assert "Book an appointment" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_in_the_chosen_language(client, shop, language):
    _choose(client, language)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert HOME_TEXT[language] in html
    for other, text in HOME_TEXT.items():
        if other != language:
            assert text not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_page_in_the_chosen_language(client, shop, language):
    _choose(client, language)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert NOT_FOUND_TEXT[language] in response.get_data(as_text=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_time_of_day_in_the_chosen_language(client, shop, language):
    """The details page shows the chosen time: klo 10.00 in Finnish."""
    with models.db.connection_context():
        service = Service.offered()[0]
    day = datetime.now(HELSINKI).date() + timedelta(days=7)
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=HELSINKI)
    _choose(client, language)
    response = client.get(
        f"/book/{service.id}/details", query_string={"start": start_param(start)}
    )
    assert response.status_code == 200
    assert TEN_O_CLOCK[language] in response.get_data(as_text=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_of_the_chosen_language(app, language):
    with app.test_request_context("/", headers={"Cookie": f"lang={language}"}):
        assert ngettext("%(num)d free", "%(num)d free", 3) == THREE_FREE[language]
        assert ngettext("%(num)d free", "%(num)d free", 1) == ONE_FREE[language]
        assert gettext("at %(time)s", time="10.00") == TEN_O_CLOCK[language]


@pytest.mark.parametrize(("asked", "shown"), [
    ("sv-FI,sv;q=0.9,en;q=0.5", "sv"),
    ("en-GB,en;q=0.8", "en"),
    ("de-DE,de;q=0.9", "fi"),
    ("", "fi"),
])
def test_a_first_visit_follows_the_browsers_language(client, shop, asked, shown):
    page = client.get("/", headers={"Accept-Language": asked} if asked else {})
    assert f'<html lang="{shown}"' in page.text
    assert "Accept-Language" in page.headers["Vary"]


def test_a_chosen_language_wins_over_the_browsers(client, shop):
    client.get("/language/en?next=/")
    page = client.get("/", headers={"Accept-Language": "sv-FI,sv"})
    assert '<html lang="en"' in page.text


def test_wtforms_own_messages_follow_each_visitors_language(app):
    """WTForms' catalogue is read once a process for each language (web/forms.py):
    visitors one after another in Finnish, Swedish and Finnish again each get its
    own message in their language, not the first visitor's."""
    from wtforms import SelectField
    from wtforms.fields.choices import SelectChoice

    from web.forms import Form

    class Choice(Form):
        class Meta:
            csrf = False

        kind = SelectField(choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])

    seen = []
    for language in ("fi", "sv", "fi", "en"):
        with app.test_request_context(method="POST", data={"kind": "c"},
                                      headers={"Accept-Language": language}):
            form = Choice()
            assert not form.validate()
            seen.append(form.kind.errors[0])
    assert seen == ["Virheellinen valinta", "Inte ett giltigt val", "Virheellinen valinta",
                    "Not a valid choice."]
