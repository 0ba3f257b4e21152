"""The back office at the counter, read in Finnish: the navigation in groups, the account
menu, no public footer; (further below) the customer page's summary, the week of working
hours, answering from the inbox and the wording of the audit log and a booking's
history."""

import re
import secrets

from support import post, send, translated

import models
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.contact_requests import (
    ANSWERED,
    NEW,
    ContactAnswer,
    ContactDetails,
    ContactRequest,
    receive,
)
from models.privacy.audit import AuditEntry


def fi(message, **values):
    return translated("fi", message, **values)


# The navigation ------------------------------------------------------------------


def nav_groups(page):
    """The names of the navigation's groups (the <summary> of each menu)."""
    return [re.sub(r"<[^>]+>.*", "", summary).strip()
            for summary in re.findall(r'<summary[^>]*>(.*?)</summary>', page, re.S)]


def test_owner_navigation_is_grouped_with_an_account_menu(owner_client):
    page = owner_client.get("/staff/calendar/").text
    assert f'aria-current="page">{fi("Calendar")}</a>' in page
    assert fi("Customers") in page
    groups = nav_groups(page)
    assert groups[:3] == [fi("Messages"), fi("Money and reports"), fi("Settings")]
    assert "Olli Omistaja</summary>" in page
    # every page the owner reaches from the navigation is still one click inside a group
    for path in ("/staff/inbox/", "/staff/requests/", "/staff/news/", "/staff/mail/",
                 "/staff/money/", "/staff/exports/", "/staff/settings", "/staff/audit",
                 "/staff/records/", "/staff/backups/", "/staff/account/"):
        assert f'href="{path}' in page, path


def test_staff_navigation_has_no_owner_pages(staff_client):
    page = staff_client.get("/staff/customers/").text
    assert nav_groups(page)[:2] == [fi("Messages"), fi("Money and reports")]
    assert fi("Settings") not in nav_groups(page)
    assert 'href="/staff/audit' not in page and 'href="/staff/backups/' not in page


def test_the_group_of_the_open_page_is_marked(owner_client):
    page = owner_client.get("/staff/inbox/").text
    assert f'<summary class="current">{fi("Messages")}' in page
    assert f'aria-current="page">{fi("Inbox")}</a>' in page


def test_log_out_is_a_styled_button_in_a_form_of_the_account_menu(staff_client):
    page = staff_client.get("/staff/calendar/").text
    menu = page[page.index('class="nav-group account-menu"'):]
    menu = menu[:menu.index("</details>")]
    assert 'action="/staff/logout"' in menu and 'method="post"' in menu
    assert f'<button type="submit" class="button small">{fi("Log out")}</button>' in menu
    assert 'href="/staff/account/"' in menu and fi("Your account") in menu


def test_no_public_footer_inside_the_back_office(staff_client, client):
    assert 'class="site-footer"' not in staff_client.get("/staff/calendar/").text
    assert fi("My data") not in staff_client.get("/staff/customers/").text
    assert 'class="site-footer"' in client.get("/").text


# Answering from the inbox ---------------------------------------------------------


def contact_request(**changes):
    values = {"name": "Liisa Laine", "email": "liisa@example.fi", "phone": "",
              "subject": "booking", "message": "Onko perjantaina tilaa?\nTerveisin Liisa",
              "preferred_reply": "email", "language": "fi"}
    with models.db.connection_context():
        return receive(ContactDetails(**{**values, **changes}), secrets.token_hex(8))


def test_answer_written_in_the_inbox_is_sent_and_the_request_keeps_the_thread(
        staff_client, staff_account):
    request = contact_request()
    path = f"/staff/inbox/{request.id}"
    response = post(staff_client, f"{path}/send", {"answer": "Perjantaina klo 14 on tilaa."})
    assert response.status_code == 303
    page = staff_client.get(path).text
    assert fi("Answered") in page  # the status
    thread = page[page.index('id="thread"'):page.index("</section>", page.index('id="thread"'))]
    assert "Onko perjantaina tilaa?" in thread
    assert fi("%(name)s asked, %(when)s", name="Liisa Laine", when="").rstrip() in thread
    assert "Perjantaina klo 14 on tilaa." in thread
    assert "Aino Esimerkki" in thread  # who answered
    with models.db.connection_context():
        stored = ContactRequest.get_by_id(request.id)
        assert stored.status == ANSWERED and stored.answered_by_id == staff_account.id
        [message] = OutboxMessage.select().where(OutboxMessage.kind == outbox.CONTACT_ANSWER)
        assert message.contact_request_id == request.id
        assert AuditEntry.select().where(AuditEntry.action == "contact.send_answer").count() == 1


def test_an_empty_answer_is_refused_at_the_field_as_htmx_and_plain(staff_client):
    request = contact_request()
    for htmx in (False, True):
        response = post(staff_client, f"/staff/inbox/{request.id}/send", {"answer": "  "},
                        htmx=htmx)
        assert response.status_code == 422
        assert fi("Write the answer to send.") in response.text
        assert ('<div id="send-form">' in response.text) and (
            ("<html" in response.text) != htmx)
    with models.db.connection_context():
        assert ContactAnswer.select().count() == 0
        assert ContactRequest.get_by_id(request.id).status == NEW


def test_a_request_without_an_address_offers_only_the_note(staff_client):
    request = contact_request(email="", phone="+358401234567", preferred_reply="phone")
    page = staff_client.get(f"/staff/inbox/{request.id}").text
    assert 'id="send-form"' not in page and 'id="answer-form"' in page
    response = post(staff_client, f"/staff/inbox/{request.id}/send", {"answer": "Hei"})
    assert response.status_code == 303
    assert fi("The sender gave no e-mail address: answer by phone and note it below.") in (
        staff_client.get(f"/staff/inbox/{request.id}").text)


def test_the_answer_arrives_from_the_business_with_replies_going_to_it(
        app, staff_client, mail_server):
    request = contact_request(language="sv")
    post(staff_client, f"/staff/inbox/{request.id}/send",
         {"answer": "Det finns en tid på fredag kl. 14."})
    app.config["MAIL_FROM"] = "noreply@vuoro.example"  # a sending address of its own
    send(app)
    [answer] = [message for message in mail_server.to("liisa@example.fi")
                if message["Subject"] == translated("sv", "Answer to your message")]
    assert "Hyvän Olon Hieronta" in answer["From"]
    assert answer["Reply-To"] == "info@hieronta.example"
    assert answer["Auto-Submitted"] is None  # a person wrote it
    body = answer.get_body(("plain",)).get_content()
    assert "Det finns en tid på fredag kl. 14." in body
    assert "Aino Esimerkki" in body and "> Onko perjantaina tilaa?" in body


def test_erasing_the_request_deletes_its_thread(staff_client):
    request = contact_request()
    post(staff_client, f"/staff/inbox/{request.id}/send", {"answer": "Kyllä on."})
    with models.db.connection_context():
        ContactRequest.delete().where(ContactRequest.id == request.id).execute()
        assert ContactAnswer.select().count() == 0
