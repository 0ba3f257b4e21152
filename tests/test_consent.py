"""Consent: the privacy statement version a booking was made under, news by e-mail only
for those who ticked the box (sent through a real SMTP server, stopped by the link or
in one click), and cookies: only necessary ones unless the visitor accepts others, with
a banner whose "reject" is as easy as "accept"."""

import html
import re
import time
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from flask import make_response, request, request_finished
from flask_babel import force_locale
from itsdangerous.timed import TimestampSigner
from support import CLASSIC_60, HTMX, form_fields, log_in, next_weekday, send, translated

import models
from engines import clock
from models.booking.bookings import Booking
from models.business import Business
from models.messages.outbox import NEWSLETTER, OutboxMessage
from models.people.customers import Customer
from models.privacy.audit import AuditEntry
from models.privacy.consents import (
    ACCEPTED,
    BOOKING_FORM,
    REJECTED,
    UNSUBSCRIBE,
    WITHDRAWN,
    Consent,
    CookieChoice,
    give,
    withdraw,
)
from models.privacy.statements import PrivacyStatement
from web import cookies
from web.cookies import COOKIES, Cookie

NEWS_BOX = "Send me news and offers by e-mail. You can stop them at any time."
STATS = Cookie("stats", "Counts visits (a test cookie).", "One month", necessary=False)


def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def client(app, shop):
    return english(app.test_client())


@pytest.fixture
def owner_client(owner_client):
    return english(owner_client)


def one(query):
    with models.db.connection_context():
        return query.get()


def rows(query):
    with models.db.connection_context():
        return list(query)


def audit_entries(action):
    return rows(AuditEntry.select().where(AuditEntry.action == action)
                .order_by(AuditEntry.id))


def set_business(**values):
    with models.db.connection_context():
        Business.update(values).execute()


# The statement version on bookings ---------------------------------------------------

def details_page(client, headers=None):
    start = next_weekday(1).isoformat() + "T08:00Z"  # 10.00 or 11.00 in Helsinki
    return client.get(f"/book/{CLASSIC_60}/details", query_string={
        "staff": "any", "start": start}, headers=headers or {})


def book(client, fields=None, headers=None, **changes):
    fields = fields if fields is not None else form_fields(details_page(client).text)
    data = {**fields, "name": "Liisa Laine", "email": "liisa@example.com",
            "phone": "040 765 4321", **changes}
    return client.post(f"/book/{CLASSIC_60}/details", data=data, headers=headers or {})


def the_booking():
    """The booking the tests' customer made (the demo has others)."""
    return one(Booking.select().join(Customer)
               .where(Customer.email == "liisa@example.com"))


def test_booking_form_links_to_the_statement_version_it_shows(client):
    page = details_page(client).text
    version = one(PrivacyStatement.select()).version
    assert form_fields(page)["privacy_version"] == str(version)
    assert (f'<a href="/privacy/{version}">Privacy statement (version {version})</a>'
            in page)
    assert client.get(f"/privacy/{version}").status_code == 200


def test_booking_keeps_the_statement_version_the_customer_was_shown(client):
    fields = form_fields(details_page(client).text)
    shown = int(fields["privacy_version"])
    set_business(name="Uusi Nimi Oy")  # the statement changes while the form is open
    assert book(client, fields).status_code == 303
    assert the_booking().privacy_version == shown
    assert f"version {shown + 1}" in details_page(client).text  # a new one is in force


@pytest.mark.parametrize("sent", ["99", "abc", ""])
def test_a_version_never_published_counts_as_the_current_one(client, sent):
    fields = form_fields(details_page(client).text)
    current = int(fields["privacy_version"])
    assert book(client, {**fields, "privacy_version": sent}).status_code == 303
    assert the_booking().privacy_version == current


def test_form_shown_again_with_errors_keeps_the_version(client):
    fields = form_fields(details_page(client).text)
    response = book(client, {**fields, "privacy_version": "99"}, name="")
    assert response.status_code == 422
    assert form_fields(response.text)["privacy_version"] == fields["privacy_version"]


# News by e-mail: the box on the booking form ----------------------------------------

def test_no_news_box_until_the_owner_turns_it_on(client):
    assert NEWS_BOX not in html.unescape(details_page(client).text)
    assert book(client, marketing="y").status_code == 303  # a forged tick is ignored
    assert rows(Consent.select()) == []


def test_owner_turns_news_on_in_the_booking_rules(owner_client, client):
    page = owner_client.get("/staff/settings/business").text
    assert "Offer news and offers by e-mail on the booking form" in page
    response = owner_client.post("/staff/settings/rules", data={
        "csrf_token": owner_client.csrf, "min_notice_minutes": "120",
        "horizon_days": "60", "slot_step_minutes": "15", "cancellation_hours": "24",
        "reminder_hours": "24", "idle_timeout_hours": "8", "marketing_enabled": "y"})
    assert response.status_code == 303
    assert one(Business.select()).marketing_enabled is True
    assert audit_entries("settings.update")[-1].details == "booking rules: marketing_enabled"
    assert NEWS_BOX in html.unescape(details_page(client).text)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_news_box_is_unticked_and_booking_works_without_it(client, htmx):
    set_business(marketing_enabled=True)
    page = details_page(client, HTMX if htmx else None).text
    box = re.search(r'<input type="checkbox" id="marketing"[^>]*>', page).group(0)
    assert "checked" not in box and "required" not in box
    response = book(client, form_fields(page), headers=HTMX if htmx else None)
    assert response.status_code == (200 if htmx else 303)
    assert the_booking() is not None
    assert rows(Consent.select()) == []
    assert audit_entries("consent.give") == []


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_ticking_the_box_records_the_consent_once_with_the_statement_version(client, htmx):
    set_business(marketing_enabled=True)
    fields = form_fields(details_page(client).text)
    response = book(client, fields, headers=HTMX if htmx else None, marketing="y")
    assert response.status_code == (200 if htmx else 303)
    again = book(client, fields, headers=HTMX if htmx else None, marketing="y")
    assert (again.status_code, again.headers.get("Location")) == (
        response.status_code, response.headers.get("Location"))
    booking = the_booking()
    consent = one(Consent.select())
    assert consent.customer_id == booking.customer_id
    assert (consent.given_via, consent.statement_version, consent.withdrawn_at) == (
        BOOKING_FORM, int(fields["privacy_version"]), None)
    [entry] = audit_entries("consent.give")
    assert (entry.customer_id, entry.booking_id, entry.user_id) == (
        booking.customer_id, booking.id, None)


# News by e-mail: the owner's page ----------------------------------------------------

def customer(name, email, consent=True, withdrawn=False, restricted=False, language="en"):
    from engines.clock import utc_now

    with models.db.connection_context():
        person = Customer.create(name=name, email=email, phone="+358401112222",
                                 language=language,
                                 restricted_at=utc_now() if restricted else None)
        if consent:
            give(person, via=BOOKING_FORM, statement_version=1)
        if withdrawn:
            withdraw(person, via=UNSUBSCRIBE)
    return person


@pytest.fixture
def readers(shop):
    """Two who get news, and three who do not."""
    return [
        customer("Liisa Laine", "liisa@example.com"),
        customer("Sven Svensson", "sven@example.se", language="sv"),
        customer("Ei Suostumusta", "ei@example.fi", consent=False),
        customer("Peruttu Suostumus", "peruttu@example.fi", withdrawn=True),
        customer("Rajoitettu Henkilö", "rajattu@example.fi", restricted=True),
    ]


def news_page(owner_client):
    return owner_client.get("/staff/news/")


def news_form(owner_client, **changes):
    fields = form_fields(news_page(owner_client).text)
    return {**fields, "subject": "Kevään tarjous", "text": "Hei!\n\n<b>Hieronta</b> -20 %.",
            "csrf_token": owner_client.csrf, **changes}


def test_news_page_is_the_owners_alone(app, owner, staff_client):
    assert staff_client.get("/staff/news/").status_code == 403
    assert staff_client.post("/staff/news/send", data={
        "csrf_token": staff_client.csrf, "subject": "x", "text": "y"}).status_code == 403
    anonymous = app.test_client().get("/staff/news/")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]


def test_owner_sees_how_many_get_the_news(owner_client, readers):
    page = news_page(owner_client)
    assert page.status_code == 200
    assert "2 customers get the news now." in page.text
    assert 'href="/staff/news/"' in page.text  # in the back office's navigation


def test_news_page_says_when_the_booking_form_does_not_offer_news(owner_client, readers):
    assert "The booking form does not offer news now" in news_page(owner_client).text
    set_business(marketing_enabled=True)
    assert "The booking form does not offer news now" not in news_page(owner_client).text


def test_preview_shows_the_news_as_typed_and_sends_nothing(owner_client, readers):
    response = owner_client.post("/staff/news/", data=news_form(owner_client))
    assert response.status_code == 200
    assert "&lt;b&gt;Hieronta&lt;/b&gt;" in response.text  # shown as typed, not as HTML
    assert "Send to 2 customers" in response.text
    assert rows(OutboxMessage.select().where(OutboxMessage.kind == NEWSLETTER)) == []


def test_sending_queues_one_message_per_reader(owner_client, readers):
    data = news_form(owner_client)
    response = owner_client.post("/staff/news/send", data=data)
    assert response.status_code == 303
    messages = rows(OutboxMessage.select().where(OutboxMessage.kind == NEWSLETTER)
                    .order_by(OutboxMessage.customer_id))
    assert [m.customer_id for m in messages] == [readers[0].id, readers[1].id]
    for message in messages:
        assert message.key == f"newsletter:{data['send_key']}:customer{message.customer_id}"
        assert message.detail["subject"] == "Kevään tarjous"
        assert message.detail["text"] == "Hei!\n\n<b>Hieronta</b> -20 %."
    [entry] = audit_entries("newsletter.send")
    assert entry.details == "recipients: 2"
    page = owner_client.get(response.headers["Location"]).text
    assert "The news is on its way to 2 customers." in page
    assert "Kevään tarjous" in page and "2 messages" in page  # among the earlier sends


def test_the_same_form_sent_twice_sends_the_news_once(owner_client, readers):
    data = news_form(owner_client)
    owner_client.post("/staff/news/send", data=data)
    again = owner_client.post("/staff/news/send", data=data)
    assert again.status_code == 303
    assert "was sent already" in owner_client.get(again.headers["Location"]).text
    assert len(rows(OutboxMessage.select().where(OutboxMessage.kind == NEWSLETTER))) == 2
    assert len(audit_entries("newsletter.send")) == 1


@pytest.mark.parametrize("path", ["/staff/news/", "/staff/news/send"])
def test_empty_news_gets_messages_at_the_fields(owner_client, readers, path):
    response = owner_client.post(path, data=news_form(owner_client, subject=" ", text=""))
    assert response.status_code == 422
    assert 'id="subject-error">Give the message a subject.' in response.text
    assert 'id="text-error">Write the news.' in response.text
    assert rows(OutboxMessage.select().where(OutboxMessage.kind == NEWSLETTER)) == []


def test_too_long_text_is_refused_and_kept(owner_client, readers):
    long_text = "x" * 10_001
    response = owner_client.post("/staff/news/", data=news_form(owner_client, text=long_text))
    assert response.status_code == 422
    assert "At most 10000 characters; this has 10001." in response.text
    assert long_text in response.text


def test_news_with_nobody_to_get_it_says_so(owner_client, shop):
    customer("Ei Suostumusta", "ei@example.fi", consent=False)
    response = owner_client.post("/staff/news/send", data=news_form(owner_client))
    assert response.status_code == 422
    assert "no customer has asked for it" in response.text
    assert "Kevään tarjous" in response.text  # what was typed is kept
    assert audit_entries("newsletter.send") == []


# News by e-mail: the messages, through a real SMTP server ---------------------------

def unsubscribe_link(message):
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/unsubscribe/\S+)", text).group(1)


def test_news_arrives_with_the_business_details_and_a_way_to_stop_it(
        app, owner_client, readers, mail_server):
    owner_client.post("/staff/news/send", data=news_form(owner_client))
    assert send(app).sent == 2
    [message] = mail_server.to("liisa@example.com")
    assert message["Subject"] == "Kevään tarjous"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    body = message.get_body(("html",)).get_content()
    assert "Hei!\n\n<b>Hieronta</b> -20 %." in text
    assert "&lt;b&gt;Hieronta&lt;/b&gt;" in body and "<b>Hieronta" not in body
    assert "Hyvän Olon Hieronta (demo)" in text and "Esimerkkikatu 1 A" in text
    link = unsubscribe_link(message)
    assert f'href="http://127.0.0.1:5000{link}"' in body
    assert message["List-Unsubscribe"] == f"<http://127.0.0.1:5000{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As receivers read it (RFC 2369, 8058): the address itself on one line, unencoded.
    [raw] = mail_server.raw_to("liisa@example.com")
    headers = raw.partition(b"\r\n\r\n")[0].split(b"\r\n")
    assert f"List-Unsubscribe: <http://127.0.0.1:5000{link}>".encode() in headers
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in headers
    # Only the key's hash is kept.
    key = link.rsplit("/", 1)[1]
    assert rows(Consent.select().where(Consent.unsubscribe_hash == key)) == []
    [other] = mail_server.to("sven@example.se")
    assert unsubscribe_link(other) != link  # each reader's own


def test_the_link_in_the_message_stops_the_news(app, owner_client, readers, mail_server):
    owner_client.post("/staff/news/send", data=news_form(owner_client))
    send(app)
    link = unsubscribe_link(mail_server.to("liisa@example.com")[0])
    visitor = app.test_client(use_cookies=False)
    page = visitor.get(link)
    assert page.status_code == 200
    assert translated("fi", "Stop the e-mails") in page.text
    assert "Set-Cookie" not in page.headers
    assert rows(Consent.select().where(Consent.withdrawn_at.is_null(False))) == [
        readers[3].consents.get()]  # viewing the page changes nothing

    response = visitor.post(link)
    assert response.status_code == 303
    consent = one(Consent.select().where(Consent.customer == readers[0].id))
    assert consent.withdrawn_at is not None and consent.withdrawn_via == UNSUBSCRIBE
    [entry] = audit_entries("consent.withdraw")
    assert entry.customer_id == readers[0].id and entry.user_id is None
    done = visitor.get(response.headers["Location"])
    assert translated("fi", "Done: you will get no more news or offers from us by e-mail.") \
        in done.text
    assert translated("fi", "Stop the e-mails") not in done.text
    assert visitor.post(link).status_code == 303  # a second time is harmless
    assert len(audit_entries("consent.withdraw")) == 1
    assert "1 customer gets the news now." in news_page(owner_client).text


def test_one_click_from_the_mail_program_stops_the_news(app, owner_client, readers,
                                                         mail_server):
    owner_client.post("/staff/news/send", data=news_form(owner_client))
    send(app)
    message = mail_server.to("sven@example.se")[0]
    url = message["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:5000")
    # As RFC 8058 has it: a POST with no cookies, no form token and that one field.
    mail_program = app.test_client(use_cookies=False)
    response = mail_program.post(url, data="List-Unsubscribe=One-Click",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    consent = one(Consent.select().where(Consent.customer == readers[1].id))
    assert consent.withdrawn_via == UNSUBSCRIBE
    [entry] = audit_entries("consent.withdraw")
    assert entry.details == "one-click from the mail program"


def test_every_news_message_of_one_consent_has_a_working_link(app, owner_client, readers,
                                                              mail_server):
    for subject in ("Ensimmäinen", "Toinen"):
        owner_client.post("/staff/news/send", data=news_form(owner_client, subject=subject))
        send(app)
    first, second = mail_server.to("liisa@example.com")
    assert unsubscribe_link(first) == unsubscribe_link(second)
    assert app.test_client().post(unsubscribe_link(first)).status_code == 303
    assert one(Consent.select().where(Consent.customer == readers[0].id)).withdrawn_at


def test_news_to_someone_who_stopped_it_meanwhile_is_not_sent(app, owner_client, readers,
                                                              mail_server):
    owner_client.post("/staff/news/send", data=news_form(owner_client))
    with models.db.connection_context():
        withdraw(readers[0], via=UNSUBSCRIBE)
        Customer.update(restricted_at=clock.utc_now()).where(
            Customer.id == readers[1].id).execute()
    result = send(app)
    assert (result.sent, result.skipped) == (0, 2)
    assert not mail_server.received
    reasons = {m.last_error for m in rows(OutboxMessage.select())}
    assert reasons == {"not sent: the customer stopped the news",
                       "not sent: the use of the customer's data is restricted"}
    page = news_page(owner_client).text
    assert "0 sent, 0 waiting, 2 not sent" in page


def test_unknown_unsubscribe_link_gets_a_clear_page(client):
    for key in ("0" * 43, "not-a-key"):
        for response in (client.get(f"/unsubscribe/{key}"),
                         client.post(f"/unsubscribe/{key}")):
            assert response.status_code == 404
            assert "This link to stop the e-mails is not known to us" in html.unescape(
                response.text)


def test_a_link_from_before_a_new_consent_still_stops_the_news(app, owner_client, readers,
                                                               mail_server):
    owner_client.post("/staff/news/send", data=news_form(owner_client))
    send(app)
    link = unsubscribe_link(mail_server.to("liisa@example.com")[0])
    with models.db.connection_context():
        withdraw(readers[0], via=UNSUBSCRIBE)
        give(readers[0], via=BOOKING_FORM)  # asked for news again later
    page = app.test_client().get(link)
    assert translated("fi", "Stop the e-mails") in page.text
    app.test_client().post(link)
    assert rows(Consent.select().where((Consent.customer == readers[0].id)
                                       & Consent.withdrawn_at.is_null())) == []


# Cookies -------------------------------------------------------------------------------

def cookie_names(response):
    return {header.partition("=")[0] for header in response.headers.getlist("Set-Cookie")}


@pytest.fixture
def optional_cookie(app, monkeypatch):
    """A site with one optional cookie, and pages that would set it: one that asks
    `may_set` first and one that sets it regardless."""
    monkeypatch.setattr(cookies, "COOKIES", COOKIES + (STATS,))

    def careful():
        response = make_response("ok")
        if cookies.may_set(STATS):
            response.set_cookie(STATS.name, "1")
        return response

    def careless():
        response = make_response("ok")
        response.set_cookie(STATS.name, "1")
        return response

    app.add_url_rule("/test/careful", view_func=careful)
    app.add_url_rule("/test/careless", view_func=careless)
    return STATS


def banner(page):
    found = re.search(r'<aside class="cookie-banner".*?</aside>', page, re.S)
    return found.group(0) if found else None


def test_no_banner_while_every_cookie_is_necessary(client):
    page = client.get("/")
    assert banner(page.text) is None
    assert '<a href="/cookies">Cookie settings</a>' in page.text
    assert client.post("/cookies", data={"choice": "accept"}).status_code == 303
    assert rows(CookieChoice.select()) == []
    assert "cookie_choice" not in cookie_names(client.get("/"))


def test_cookie_page_lists_every_cookie_with_purpose_and_lifetime(client):
    page = html.unescape(client.get("/cookies").text)
    for cookie in COOKIES:
        assert f"<code>{cookie.name}</code>" in page
        with client.application.test_request_context(), force_locale("en"):
            assert str(cookie.purpose) in page and str(cookie.lifetime) in page
    assert "nothing for you to choose here" in page
    assert 'name="choice"' not in page


def test_banner_offers_accept_and_reject_alike_with_nothing_chosen(client, optional_cookie):
    for path in ("/", "/book", "/contact", "/privacy"):
        shown = banner(client.get(path).text)
        assert shown is not None, path
        buttons = re.findall(r"<button[^>]*>[^<]*</button>", shown)
        assert buttons == [
            '<button type="submit" name="choice" value="accept" class="button">Accept'
            "</button>",
            '<button type="submit" name="choice" value="reject" class="button">Reject'
            "</button>"]
        assert "checked" not in shown and 'href="/cookies"' in shown
        assert f'name="next" value="{path}"' in shown


def test_nothing_optional_is_set_before_an_answer(client, optional_cookie):
    assert "stats" not in cookie_names(client.get("/test/careful"))
    assert "stats" not in cookie_names(client.get("/test/careless"))  # taken out


@pytest.mark.parametrize("answer, recorded", [("accept", ACCEPTED), ("reject", REJECTED)])
def test_one_click_answers_the_banner_and_is_recorded(client, optional_cookie, answer,
                                                      recorded):
    response = client.post("/cookies", data={"choice": answer, "next": "/book"})
    assert response.status_code == 303 and response.headers["Location"] == "/book"
    [choice] = rows(CookieChoice.select())
    assert (choice.choice, choice.banner_version) == (recorded, cookies.BANNER_VERSION)
    header = response.headers["Set-Cookie"]
    assert header.startswith(f"cookie_choice={choice.visitor}-{recorded}-1;")
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert banner(client.get("/book").text) is None
    assert ("stats" in cookie_names(client.get("/test/careful"))) is (answer == "accept")
    assert ("stats" in cookie_names(client.get("/test/careless"))) is (answer == "accept")


def test_withdrawing_is_recorded_and_deletes_the_optional_cookies(client, optional_cookie):
    client.post("/cookies", data={"choice": "accept", "next": "/"})
    client.get("/test/careful")
    assert client.get_cookie("stats") is not None
    page = client.get("/cookies").text
    assert "You accepted the optional cookies." in page
    response = client.post("/cookies", data={"choice": "reject"})
    assert response.headers["Location"] == "/cookies"
    assert client.get_cookie("stats") is None
    accepted, withdrawn = rows(CookieChoice.select().order_by(CookieChoice.id))
    assert (accepted.choice, withdrawn.choice) == (ACCEPTED, WITHDRAWN)
    assert accepted.visitor == withdrawn.visitor  # the same visitor's answers
    assert "stats" not in cookie_names(client.get("/test/careless"))
    assert "You rejected the optional cookies" in client.get("/cookies").text


def test_a_changed_banner_asks_again(client, optional_cookie, monkeypatch):
    client.post("/cookies", data={"choice": "accept", "next": "/"})
    monkeypatch.setattr(cookies, "BANNER_VERSION", cookies.BANNER_VERSION + 1)
    assert banner(client.get("/").text) is not None
    assert "stats" not in cookie_names(client.get("/test/careless"))


def test_an_answer_that_is_neither_gets_a_clear_message(client, optional_cookie):
    response = client.post("/cookies", data={"choice": "maybe"})
    assert response.status_code == 422
    assert "Choose Accept or Reject." in response.text
    assert rows(CookieChoice.select()) == []


@pytest.mark.parametrize("next_page", ["https://evil.example/", "//evil.example/", "",
                                       "/\t/evil.example", "/\\evil.example"])
def test_the_answer_leads_back_only_within_the_site(client, optional_cookie, next_page):
    response = client.post("/cookies", data={"choice": "reject", "next": next_page})
    assert response.headers["Location"] == "/cookies"


def test_an_answer_from_another_site_is_refused(client, optional_cookie):
    response = client.post("/cookies", data={"choice": "accept"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert rows(CookieChoice.select()) == []


@contextmanager
def clock_back(seconds):
    """Form tokens made meanwhile say they were handed out `seconds` ago."""
    with patch.object(TimestampSigner, "get_timestamp",
                      lambda signer: int(time.time()) - seconds):
        yield


def test_the_site_sets_no_cookie_outside_the_list(app, owner):
    """Every Set-Cookie of the public pages, a booking, a contact request, the cookie
    answer and a staff login names a cookie of the list."""
    seen = set()

    def note(sender, response, **extra):
        seen.update(cookie_names(response))

    with request_finished.connected_to(note, app):
        visit_everything(app, owner)
    assert "session" in seen and "lang" in seen
    assert seen <= {cookie.name for cookie in COOKIES}, seen - {c.name for c in COOKIES}


def visit_everything(app, owner):
    visitor = app.test_client()
    for path in ("/", "/book", f"/book/{CLASSIC_60}", "/privacy", "/cookies", "/contact",
                 "/language/sv?next=/", "/no-such-page"):
        visitor.get(path)
    set_business(marketing_enabled=True)
    booked = book(visitor, marketing="y")
    visitor.get(booked.headers["Location"])
    with clock_back(10):
        contact = form_fields(visitor.get("/contact").text)
    visitor.post("/contact", data={**contact, "name": "Maija", "email": "maija@example.fi",
                                   "phone": "", "preferred_reply": "email",
                                   "subject": "booking", "message": "Hei!", "website": ""})
    staff = log_in(app.test_client(), owner.email)
    staff.get("/staff/news/")


def test_booking_and_contact_work_with_cookies_blocked(app, shop):
    set_business(marketing_enabled=True)
    blocked = app.test_client(use_cookies=False)
    response = book(blocked, marketing="y")
    assert response.status_code == 303 and "Set-Cookie" not in response.headers
    assert blocked.get(response.headers["Location"]).status_code == 200
    assert one(Consent.select()).customer_id == the_booking().customer_id
    with clock_back(10):
        page = blocked.get("/contact")
    assert "Set-Cookie" not in page.headers
    sent = blocked.post("/contact", data={
        **form_fields(page.text), "name": "Maija", "email": "maija@example.fi",
        "phone": "", "preferred_reply": "email", "subject": "booking",
        "message": "Hei!", "website": ""})
    assert sent.status_code == 303 and "Set-Cookie" not in sent.headers
    assert blocked.get(sent.headers["Location"]).status_code == 200


def test_request_context_reads_no_choice_from_a_forged_cookie(app):
    with app.test_request_context(headers={"Cookie": "cookie_choice=nonsense-accepted-1"}):
        assert request.cookies["cookie_choice"]
        assert cookies.visitor_choice() is None
        assert not cookies.may_set(STATS)
