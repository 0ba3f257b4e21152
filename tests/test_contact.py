"""The public contact form through the Flask test client, plain and as HTMX: a request
stored with its e-mails queued, one request per form however often it is sent, each
message at its field with what was typed kept, the inline check, and the misuse rules
(the robots' field, the minimum time, the limits per sender and per address)."""

import re
import time
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from itsdangerous.timed import TimestampSigner
from support import HTMX

import models
from models.accounts.users import User, create_user
from models.messages.outbox import CONTACT_RECEIVED, STAFF_NEW_CONTACT, OutboxMessage
from models.people import contact_requests
from models.people.contact_requests import (
    ANSWERED,
    CLOSED,
    NEW,
    ContactDetails,
    ContactRequest,
    NotAllowed,
    close,
    count_new,
    mark_answered,
    receive,
    reopen,
)
from models.people.customers import InvalidValue
from models.privacy.declaration import CONTACT_REQUEST, LegalBasis, Purpose
from views.public import contact as contact_views

MESSAGE = "Hei! Onko teillä aikoja ensi viikolla?\nKiitos."


@pytest.fixture
def client(client, shop):
    client.set_cookie("lang", "en")
    return client


@contextmanager
def clock_back(seconds):
    """Form tokens made meanwhile say they were handed out `seconds` ago."""
    with patch.object(TimestampSigner, "get_timestamp",
                      lambda signer: int(time.time()) - seconds):
        yield


def form_token(client, seconds_ago=10):
    """The token of the contact form as a person opened it `seconds_ago` seconds ago."""
    with clock_back(seconds_ago):
        page = client.get("/contact")
    assert page.status_code == 200
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def contact_form(**changes):
    values = {"name": "Maija Meikäläinen", "email": "Maija@Example.fi",
              "phone": "050 765 4321", "preferred_reply": "email", "subject": "booking",
              "message": MESSAGE, "website": ""}
    return {**values, **changes}


def send(client, token=None, headers=None, **changes):
    data = contact_form(**changes)
    data["form_token"] = token or form_token(client)
    return client.post("/contact", data=data, headers=headers or {})


def stored():
    with models.db.connection_context():
        return list(ContactRequest.select().order_by(ContactRequest.id))


def queued():
    with models.db.connection_context():
        return list(OutboxMessage.select().order_by(OutboxMessage.id))


def error_at(html, field_id):
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return found.group(1).replace("&#34;", '"').replace("&#39;", "'") if found else None


def account(email, notify=True):
    with models.db.connection_context():
        user = create_user(email, email.split("@")[0], "staff")
        User.update(notify_contact_requests=notify).where(User.id == user.id).execute()
        return user


# The page ----------------------------------------------------------------------


def test_every_public_page_links_to_the_contact_page(client):
    for path in ("/", "/book", "/privacy", "/contact"):
        assert 'href="/contact"' in client.get(path).text, path


def test_contact_page_tells_what_is_done_with_the_data(client):
    page = client.get("/contact")
    assert page.status_code == 200
    assert 'href="/privacy"' in page.text
    assert "only to answer your message" in page.text
    assert 'name="form_token"' in page.text


def test_robots_field_is_hidden_from_people_and_screen_readers(client):
    page = client.get("/contact").text
    trap = re.search(r'<div class="contact-trap" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap, page
    assert 'tabindex="-1"' in trap.group(1) and 'autocomplete="off"' in trap.group(1)


# Sending -----------------------------------------------------------------------


def test_request_is_stored_and_its_emails_queued(client):
    owner = account("olli@hieronta.example")
    staff = account("aino@hieronta.example")
    account("eero@hieronta.example", notify=False)

    response = send(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/contact/sent?reply=email"
    (request,) = stored()
    assert (request.name, request.email, request.phone) == (
        "Maija Meikäläinen", "maija@example.fi", "+358507654321")
    assert (request.subject, request.preferred_reply, request.language, request.status) == (
        "booking", "email", "en", NEW)
    assert request.message == MESSAGE
    messages = queued()
    assert [m.kind for m in messages if m.kind == CONTACT_RECEIVED] == [CONTACT_RECEIVED]
    notices = [m for m in messages if m.kind == STAFF_NEW_CONTACT]
    assert sorted(m.user_id for m in notices) == sorted([owner.id, staff.id])
    assert {m.contact_request_id for m in messages} == {request.id}


def test_confirmation_says_how_the_answer_comes_and_nothing_personal(client):
    response = send(client, preferred_reply="phone")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "We will call you at the number you gave." in page.text
    assert "Maija" not in page.text and "765 4321" not in page.text
    by_email = client.get("/contact/sent?reply=email").text
    assert "We will answer by e-mail to the address you gave." in by_email


def test_form_sent_twice_makes_one_request(client):
    token = form_token(client)
    first = send(client, token=token)
    again = send(client, token=token)
    assert first.status_code == again.status_code == 303
    assert len(stored()) == 1
    assert len([m for m in queued() if m.kind == CONTACT_RECEIVED]) == 1


def test_request_by_phone_alone_is_accepted(client):
    assert send(client, email="", preferred_reply="phone").status_code == 303
    (request,) = stored()
    assert (request.email, request.phone) == ("", "+358507654321")


# Messages at the fields ----------------------------------------------------------


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"name": " "}, "name", "Tell us your name."),
    ({"name": "N" * 101}, "name", "At most 100 characters; this has 101."),
    ({"email": "maija@"}, "email", "This is not an e-mail address."),
    ({"phone": "123"}, "phone", "This is not a phone number we can call."),
    ({"email": "", "phone": ""}, "preferred_reply",
     "Give an e-mail address or a phone number, so that we can answer you."),
    ({"email": ""}, "preferred_reply", "You chose an answer by e-mail"),
    ({"phone": "", "preferred_reply": "phone"}, "preferred_reply", "You chose a phone call"),
    ({"preferred_reply": "fax"}, "preferred_reply", "Choose e-mail or phone."),
    ({"subject": "spam"}, "subject", "Choose one of the subjects listed."),
    ({"message": "   "}, "message", "Write your message."),
    ({"message": "x" * 5001}, "message", "At most 5000 characters; this has 5001."),
])
def test_each_problem_is_told_at_its_field_with_what_was_typed_kept(
        client, changes, field_id, message):
    response = send(client, **changes)

    assert response.status_code == 422
    assert message in (error_at(response.text, field_id) or ""), response.text
    assert 'id="error-summary"' in response.text
    assert "Check the form" in response.text  # in the page's title
    kept = contact_form(**changes)
    for name in ("name", "email", "phone"):
        assert f'value="{kept[name]}"' in response.text
    assert ">" + kept["message"] + "</textarea>" in response.text
    assert stored() == []


def test_line_breaks_count_once_against_the_maximum(client):
    message = "a\r\n" * 2000  # 6000 characters as sent, 4000 as written
    assert send(client, message=message).status_code == 303
    assert stored()[0].message == ("a\n" * 2000).strip()


def test_odd_input_gets_an_answer_never_an_error(client):
    response = send(client, name="Maija\x00", message="Hei\x00\x07", subject="",
                    preferred_reply="")
    assert response.status_code == 422
    assert "\x00" not in response.text
    assert send(client, check="nonsense").status_code == 200  # a check stores nothing
    assert client.post("/contact", data={}).status_code == 422
    assert stored() == []


# The inline check ----------------------------------------------------------------


def test_inline_check_as_htmx_swaps_in_only_the_changed_blocks(client):
    response = send(client, headers=HTMX, check="email", email="maija@", name="")

    assert response.status_code == 422
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    html = response.text
    assert "<html" not in html
    swapped = re.findall(r'<div id="([a-z_-]+)" data-hx-swap-oob="true"', html)
    assert swapped == ["contact-email-block", "preferred_reply-message"]
    assert 'type="radio"' not in html  # the radio buttons may be in use meanwhile
    assert "This is not an e-mail address." in error_at(html, "email")
    assert 'aria-invalid="true"' in html
    # the status line read out to screen readers comes first, outside the blocks
    assert html.strip().startswith("E-mail: This is not an e-mail address.")
    assert "Tell us your name." not in html  # the name was not the field changed
    assert stored() == []


def test_inline_check_of_a_right_value_clears_the_message(client):
    response = send(client, headers=HTMX, check="phone", phone="+46 70 123 45 67")
    assert response.status_code == 200
    assert error_at(response.text, "phone") is None
    assert 'value="+46 70 123 45 67"' in response.text
    assert stored() == []


def test_inline_check_of_the_answer_choice_names_what_is_missing(client):
    response = send(client, headers=HTMX, check="preferred_reply", preferred_reply="phone",
                    phone="")
    assert response.status_code == 422
    assert "You chose a phone call" in error_at(response.text, "preferred_reply")


def test_inline_check_without_javascript_shows_the_whole_form(client):
    response = send(client, check="email", email="maija@", name="")

    assert response.status_code == 422
    assert "<html" in response.text and 'id="contact-form"' in response.text
    assert "This is not an e-mail address." in error_at(response.text, "email")
    assert error_at(response.text, "name") is None
    assert 'value="maija@"' in response.text
    assert stored() == []


def test_inline_check_never_sends_even_when_all_is_right(client):
    assert send(client, check="message").status_code == 200
    assert send(client, headers=HTMX, check="message").status_code == 200
    assert stored() == [] and queued() == []


# Misuse --------------------------------------------------------------------------


def test_filled_robots_field_looks_sent_but_stores_nothing(client):
    real = send(client)
    robot = send(client, website="http://cheap-pills.example")

    assert robot.status_code == real.status_code == 303
    assert robot.headers["Location"] == real.headers["Location"]
    assert len(stored()) == 1
    assert len([m for m in queued() if m.kind == CONTACT_RECEIVED]) == 1


def test_form_sent_too_quickly_asks_calmly_again_with_what_was_typed_kept(client):
    token = form_token(client, seconds_ago=0)
    response = send(client, token=token)

    assert response.status_code == 422
    assert "Almost there: your message is kept below." in response.text
    assert "program" not in response.text.split('id="contact-notice"')[1].split("</div>")[0]
    assert 'value="Maija Meikäläinen"' in response.text
    fresh = re.search(r'name="form_token" value="([^"]+)"', response.text).group(1)
    assert fresh != token
    assert stored() == []

    with clock_back(-10):  # the person checks the form and sends it again later
        assert send(client, token=fresh).status_code == 303
    assert len(stored()) == 1


@pytest.mark.parametrize("token", ["", "forged.token.value"])
def test_form_without_a_valid_token_is_refused_with_what_was_typed_kept(client, token):
    response = client.post("/contact", data={**contact_form(), "form_token": token})
    assert response.status_code == 422
    assert "The form was open for a long time" in response.text
    assert 'value="Maija Meikäläinen"' in response.text
    assert stored() == []


def test_form_open_more_than_a_day_is_refused(client):
    token = form_token(client, seconds_ago=contact_views.FORM_MAX_AGE + 60)
    response = send(client, token=token)
    assert response.status_code == 422
    assert "The form was open for a long time" in response.text


def test_sixth_message_from_one_sender_in_an_hour_waits(client):
    for number in range(5):
        sent = send(client, email=f"person{number}@example.fi", phone="")
        assert sent.status_code == 303
    for _ in range(3):  # checks as one types never count
        assert send(client, headers=HTMX, check="name").status_code == 200

    refused = send(client, email="sixth@example.fi", phone="", message="Still there?")

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600  # the hour's first one frees
    assert "Several messages have come from you in a short time" in refused.text
    assert 'value="sixth@example.fi"' in refused.text
    assert ">Still there?</textarea>" in refused.text
    assert len(stored()) == 5


def test_fourth_message_from_one_address_in_an_hour_waits(client):
    for number in range(3):
        assert send(client, phone="", message=f"Message {number}").status_code == 303

    refused = send(client, email="MAIJA@example.fi", phone="", message="Once more")

    assert refused.status_code == 429
    assert ">Once more</textarea>" in refused.text
    assert len(stored()) == 3


def test_fourth_message_from_one_phone_number_in_an_hour_waits(client):
    for number in range(3):
        assert send(client, email=f"p{number}@example.fi").status_code == 303
    refused = send(client, email="other@example.fi", phone="+358 50 765 4321")
    assert refused.status_code == 429
    assert len(stored()) == 3


def test_refused_forms_do_not_count_against_the_limits(client):
    for _ in range(6):
        assert send(client, name="").status_code == 422
    assert send(client).status_code == 303


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://elsewhere.example"},
])
def test_post_from_another_site_is_refused(client, headers):
    assert send(client, headers=headers).status_code == 403
    assert stored() == []


# The rules on their own ----------------------------------------------------------


def details(**changes):
    values = {"name": "Maija", "email": "maija@example.fi", "phone": "", "subject": "other",
              "message": "Hei", "preferred_reply": "email", "language": "fi"}
    return ContactDetails(**{**values, **changes})


@pytest.mark.parametrize(("changes", "code"), [
    ({"email": "", "phone": ""}, "unreachable"),
    ({"preferred_reply": "phone"}, "phone_missing"),
    ({"subject": "spam"}, "subject_invalid"),
    ({"message": " "}, "message_missing"),
    ({"message": "x" * 5001}, "too_long"),
])
def test_model_refuses_what_the_form_would(app, changes, code):
    with models.db.connection_context(), pytest.raises(InvalidValue) as refused:
        receive(details(**changes), "key")
    assert refused.value.code == code


def test_answer_close_and_reopen_move_the_request_between_tabs(app):
    log = []

    def remember(action, **what):
        log.append((action, what))

    with models.db.connection_context():
        request = receive(details(), "key-1")
        assert count_new() == 1
        assert close(request, remember) and not close(request, remember)
        assert reopen(request, remember)
        assert ContactRequest.get_by_id(request.id).status == NEW  # never answered
        mark_answered(request, " Called back. ", None, remember)
        assert count_new() == 0
        assert close(request, remember)
        with pytest.raises(NotAllowed):
            mark_answered(request, "Again", None, remember)
        assert reopen(request, remember) and not reopen(request, remember)
        again = ContactRequest.get_by_id(request.id)
    assert (again.status, again.reply_note, again.closed_at) == (ANSWERED, "Called back.", None)
    assert [action for action, _ in log] == [
        "contact.close", "contact.reopen", "contact.answer", "contact.close",
        "contact.reopen"]
    assert {what["details"] for _, what in log} == {f"contact request #{request.id}"}
    assert CLOSED in contact_requests.STATUSES


def test_contact_requests_are_declared_personal_data_kept_a_year_after_closing():
    declared = ContactRequest.personal_data.fields
    for field in ("name", "email", "phone", "message", "reply_note", "customer"):
        assert declared[field] is CONTACT_REQUEST
    assert set(CONTACT_REQUEST.purposes) == {Purpose.COMMUNICATION,
                                             Purpose.CUSTOMER_RELATIONSHIP}
    assert CONTACT_REQUEST.basis is LegalBasis.LEGITIMATE_INTEREST
    assert (CONTACT_REQUEST.retention.months, CONTACT_REQUEST.retention.after) == (
        12, "closing")
