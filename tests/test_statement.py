"""The privacy statement: made from the business settings, the declaration with the
periods in force, the processors and the cookie list, in every language; published as
a new version whenever what it says changes, and every older version readable as it was."""

import html
import re
import threading
from datetime import UTC, datetime, time

import pytest
from flask_babel import force_locale
from support import next_weekday, translated

import models
from engines.clock import HELSINKI
from models.business import Business
from models.people.customers import display_phone
from models.privacy import periods, statements
from models.privacy.declaration import CATEGORIES, CONTACT_REQUEST, EMAIL
from models.privacy.statements import PrivacyStatement
from views.public import statement
from web.cookies import COOKIES
from web.wording import CATEGORY_NAMES

RIGHTS = ("Right of access", "Right to rectification", "Right to erasure",
          "Right to restriction of processing", "Right to object",
          "Right to data portability", "Right to withdraw consent")
NO_AUTOMATED_DECISIONS = ("We make no decisions about you by automated means alone, and "
                          "we do no profiling.")
NO_ANALYTICS = ("Nothing is sent to any other site, and the statistics are never joined to "
                "customers, bookings or contact requests. Your browser loads everything "
                "from this site only.")
OMBUDSMAN = ("Tietosuojavaltuutetun toimisto", "Lintulahdenkuja 4, 00530 Helsinki",
             "PL 800, 00531 Helsinki", "029 566 6700", "tietosuoja.fi")


def text_of(page):
    """The page's words, tags taken out (words inside a line stay as they read) and
    entities read."""
    inline = re.sub(r"</?(strong|a|span|code|em)\b[^>]*>", "", page)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)))


def read(client, url="/privacy", language="en"):
    client.set_cookie("lang", language)
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.text


def kept_item(page, name):
    """The words of the list item of the category `name` under "how long"."""
    section = page.split('id="kept-heading"')[1].split("</section>")[0]
    for item in re.findall(r"<li>(.*?)</li>", section, re.S):
        if f"<strong>{html.escape(name, quote=True)}</strong>" in item:
            return text_of(item)
    raise AssertionError(f"{name} is not in the list of periods")


def versions():
    with models.db.connection_context():
        return [row.version for row in PrivacyStatement.select().order_by(
            PrivacyStatement.version)]


def shown(app, language, text):
    """A lazy text as the site shows it in `language`."""
    with app.test_request_context(), force_locale(language):
        return str(text)


def with_database(function, *args):
    with models.db.connection_context():
        return function(*args)


# What the statement says -------------------------------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_statement_names_controller_periods_rights_ombudsman_and_cookies(app, client, shop,
                                                                         language):
    page = read(client, language=language)
    words = text_of(page)
    business = with_database(Business.current)
    for detail in (business.name, business.business_id, business.street,
                   business.postal_code, business.town, display_phone(business.phone),
                   business.email):
        assert detail and detail in words, detail
    months = with_database(periods.all_months)
    for category in CATEGORIES:
        if category.key == "staff":  # not about customers
            continue
        item = kept_item(page, shown(app, language, CATEGORY_NAMES[category.key]))
        assert re.search(rf"\b{months[category.key]}\b", item), item
    for right in RIGHTS:
        assert translated(language, right) in words, right
    for line in OMBUDSMAN:
        assert line in words
    assert "tietosuojavaltuute" in words.lower()  # its Finnish name, in any inflection
    assert translated(language, NO_AUTOMATED_DECISIONS) in words
    assert translated(language, NO_ANALYTICS) in words
    for cookie in COOKIES:
        assert f'<strong lang="en">{cookie.name}</strong>' in page
        assert shown(app, language, cookie.purpose) in words
    assert 'href="/my-data"' in page and 'href="/contact"' in page


def test_statement_in_english_says_each_period_purpose_and_basis(client, shop):
    page = read(client)
    assert "Kept for 12 months after the matter is closed." in kept_item(
        page, "Contact requests you send us")
    assert "Kept for 36 months after your last booking." in kept_item(page, "Contact details")
    words = text_of(page)
    for basis in ("our contract with you (GDPR Art 6(1)(b))",
                  "an obligation the law sets us (GDPR Art 6(1)(c))",
                  "our legitimate interest (GDPR Art 6(1)(f))",
                  "your consent (GDPR Art 6(1)(a))"):
        assert basis in words
    assert "Our interest: to answer what you asked" in words
    assert "nothing is moved outside them" in words
    assert "We do not sell, rent or otherwise hand over your data" in words
    assert "argon2id" in words  # the security measures of the record of processing
    assert "server hosting, an e-mail service and an accounting program" in words
    assert "Version 1, published" in words


def test_statement_is_generated_from_the_business_settings(client, shop):
    with models.db.connection_context():
        Business.update(name="Kampaamo Kiharat", business_id="7654321-5").execute()
    words = text_of(read(client))
    assert "Kampaamo Kiharat" in words and "7654321-5" in words


# Versions ------------------------------------------------------------------------------


def test_changing_a_period_publishes_version_2_and_version_1_keeps_the_old_one(client,
                                                                               shop):
    assert "Kept for 12 months" in kept_item(read(client), "Contact requests you send us")
    with_database(periods.choose, CONTACT_REQUEST, 6)

    page = read(client)
    assert "Version 2, published" in text_of(page)
    assert "Kept for 6 months" in kept_item(page, "Contact requests you send us")
    assert 'href="/privacy/1"' in page  # the earlier versions are listed
    assert versions() == [1, 2]

    old = read(client, "/privacy/1")
    assert "Kept for 12 months" in kept_item(old, "Contact requests you send us")
    words = text_of(old)
    assert "This is an earlier version, no longer in force." in words
    assert "Version 1, published" in words
    assert 'href="/privacy"' in old and "Read the current privacy statement (version 2)" in words


def test_adding_a_processor_publishes_a_version_that_names_it(client, shop):
    read(client)
    with_database(statements.add_processor, "Pilvipalvelu Oy", "hosting", "FI")
    with_database(statements.add_processor, "Tilitoimisto Tase", "accounting", "SE")
    words = text_of(read(client))
    assert "Version 2, published" in words
    assert "Pilvipalvelu Oy: Server hosting, Finland" in words
    assert "Tilitoimisto Tase: Accounting program, Sweden" in words
    assert "also recorded in our accounting program (Tilitoimisto Tase)" in words
    assert "server hosting, an e-mail service and an accounting program" not in words
    assert "Pilvipalvelu Oy" not in text_of(read(client, "/privacy/1"))


def test_statement_coming_back_to_what_an_older_version_said_is_a_new_version(client, shop):
    read(client)
    with_database(periods.choose, EMAIL, 6)
    read(client)
    with_database(periods.choose, EMAIL, EMAIL.retention.months)
    page = read(client)
    assert versions() == [1, 2, 3]
    assert "Kept for 3 months after sending." in kept_item(page,
                                                           "Records of the e-mail we send you")


def test_unchanged_statement_is_neither_republished_nor_rendered(app, client, shop,
                                                                 monkeypatch):
    read(client)
    read(client, language="sv")

    def no_rendering(facts):
        raise AssertionError("rendered although nothing changed")

    monkeypatch.setattr(statement, "render_bodies", no_rendering)
    assert "Version 1, published" in text_of(read(client))
    with app.test_request_context(), models.db.connection_context():
        assert statement.current_statement().version == 1
    assert versions() == [1]


def test_current_statement_is_the_row_a_booking_can_point_to(app, shop):
    with app.test_request_context(), models.db.connection_context():
        first = statement.current_statement()
        again = statement.current_statement()
    assert isinstance(first, PrivacyStatement)
    assert (first.id, first.version) == (again.id, 1)
    assert all("tietosuojavaltuute" in body.lower()
               for body in (first.body_fi, first.body_sv, first.body_en))


def test_two_publications_at_once_make_one_version(app, shop):
    with app.test_request_context(), models.db.connection_context():
        facts = statement.statement_facts()
        bodies = statement.render_bodies(facts)
    both_rendering = threading.Barrier(2, timeout=10)
    published, failures = [], []

    def render():
        both_rendering.wait()  # both have found that the statement must be published
        return bodies

    def publish():
        try:
            with models.db.connection_context():
                published.append(statements.current(facts, render))
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures, failures
    assert [row.version for row in published] == [1, 1]
    assert versions() == [1]


def test_unknown_version_is_a_friendly_404(client, shop):
    client.set_cookie("lang", "en")
    response = client.get("/privacy/42")
    assert response.status_code == 404
    words = text_of(response.text)
    assert "There is no version 42 of the privacy statement." in words
    assert 'href="/privacy"' in response.text


def test_older_version_is_shown_in_the_language_chosen(client, shop):
    read(client)
    with_database(periods.choose, CONTACT_REQUEST, 6)
    read(client)
    fi = read(client, "/privacy/1", "fi")
    assert '<html lang="fi">' in fi
    assert translated("fi", "Your rights") in text_of(fi)


# Links from the forms ------------------------------------------------------------------


def test_forms_that_collect_data_link_the_statement(client, shop):
    start = datetime.combine(next_weekday(1), time(10), HELSINKI).astimezone(UTC)
    details = client.get("/book/2/details", query_string={
        "staff": "any", "start": start.strftime("%Y-%m-%dT%H:%MZ")})
    assert details.status_code == 200
    assert 'href="/privacy' in details.text.split("<form")[1]  # the version shown, maybe
    assert 'href="/privacy"' in client.get("/contact").text.split("<form")[1]
    assert 'href="/privacy"' in client.get("/").text  # the footer of every page


def test_the_statement_says_where_erased_data_remains_and_for_how_long(client, shop):
    for language in ("fi", "sv", "en"):
        client.set_cookie("lang", language)
        page = html.unescape(client.get("/privacy").text)
        assert translated(language, "Erased data is gone from our register at once. "
                          "Leftovers in the database's own files are overwritten later: in "
                          "its tables the night after the erasure, in its log of changes as "
                          "newer changes fill it. Our backups keep a copy until they expire; "
                          "should we ever restore one, we erase the data from it again."
                          ) in " ".join(page.split())
