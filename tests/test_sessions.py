"""Back-office sessions kept in the database, and the changes to how an account logs
in: each asks who is asking and is e-mailed to the account."""

import hashlib
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import pytest
from support import (
    PASSWORD,
    csrf_token,
    log_in,
    login_form,
    next_code,
    post,
    translated,
    turn_on_two_factor,
)

import models
from app import create_app
from engines import clock
from models.accounts.sessions import StaffSession
from models.accounts.users import User, invite
from models.business import Business
from models.messages.outbox import ACCOUNT_CHANGED, OutboxMessage

NEW_PASSWORD = "seitsemän siilin sininen sauna"
NOT_YOU = ("If this was not you, someone else knows your password or has an open session "
           "of yours. Tell the owner at once: the owner can disable the account and give "
           "you a new link to set a password.")


def another_app_server(app):
    """A second app on the same database, as a second app server would be."""
    return create_app({key: app.config[key] for key in (
        "TESTING", "DATABASE_URL", "SECRET_KEY", "DEVELOPMENT")})


def sessions_of(user):
    with models.db.connection_context():
        return list(StaffSession.select().where(StaffSession.user == user.id)
                    .order_by(StaffSession.id))


def password_form(current, **more):
    """The fields of the form that changes the password to NEW_PASSWORD."""
    return {"current_password": current, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD,
            **more}


def end_by_logout(holder, **_):
    post(holder, "/staff/logout")


def end_everywhere(holder, **_):
    post(holder, "/staff/account/logout-everywhere")


def end_by_new_password(holder, app, account, **_):
    """The holder changes the password on another device: this session ends."""
    other_device = log_in(app.test_client(), account.email)
    assert post(other_device, "/staff/account/password", password_form(PASSWORD)).status_code == 303
    assert other_device.get("/staff/customers/").status_code == 200  # this one goes on


def end_by_disabling(holder, owner_client, account, **_):
    assert post(owner_client, f"/staff/accounts/{account.id}/disable").status_code == 303


def end_by_idling(holder, account, **_):
    with models.db.connection_context():
        StaffSession.update(last_seen_at=clock.utc_now() - timedelta(hours=9)).where(
            StaffSession.user == account.id).execute()


@pytest.mark.parametrize("ending", [end_by_logout, end_everywhere, end_by_new_password,
                                    end_by_disabling, end_by_idling])
def test_a_copied_session_cookie_is_useless_once_the_session_ends(
        app, staff_account, owner_client, ending):
    holder = log_in(app.test_client(), staff_account.email)
    with holder.session_transaction() as cookie:
        token_hash = hashlib.sha256(cookie["_user_id"].encode()).hexdigest()
    thief = another_app_server(app).test_client()
    thief.set_cookie("session", holder.get_cookie("session").value)
    assert thief.get("/staff/customers/").status_code == 200
    ending(holder, app=app, account=staff_account, owner_client=owner_client)
    refused = thief.get("/staff/customers/")
    assert refused.status_code == 302 and "/staff/login" in refused.headers["Location"]
    assert holder.get("/staff/customers/").status_code == 302
    with models.db.connection_context():
        assert StaffSession.get(StaffSession.token_hash == token_hash).ended_at is not None


def test_an_idle_session_ends_with_a_notice(owner_client, owner):
    end_by_idling(owner_client, account=owner)
    response = owner_client.get("/staff/calendar/")
    assert response.status_code == 302 and "idle=1" in response.headers["Location"]
    [session] = sessions_of(owner)
    assert session.ended_at is not None


def test_last_seen_is_written_at_most_once_a_minute(owner_client, owner):
    def seen_ago(seconds):
        with models.db.connection_context():
            StaffSession.update(last_seen_at=clock.utc_now() - timedelta(seconds=seconds)
                                ).execute()
        owner_client.get("/staff/calendar/")
        [session] = sessions_of(owner)
        return (clock.utc_now() - session.last_seen_at).total_seconds()

    assert seen_ago(30) >= 30  # not written again within the minute
    assert seen_ago(90) < 10


def test_a_new_password_needs_the_current_one(app, owner_client, owner):
    wrong = post(owner_client, "/staff/account/password", password_form("not it at all"))
    assert wrong.status_code == 422
    assert translated("fi", "The password is wrong.") in wrong.text
    assert login_form(app.test_client(), owner.email, PASSWORD).status_code == 303
    right = post(owner_client, "/staff/account/password", password_form(PASSWORD))
    assert right.status_code == 303
    assert login_form(app.test_client(), owner.email, NEW_PASSWORD).status_code == 303


def test_wrong_current_passwords_are_throttled_like_logins(owner_client):
    statuses = [post(owner_client, "/staff/account/password",
                     password_form(f"guess {n}")).status_code
                for n in range(6)]
    assert statuses == [422] * 5 + [429]
    refused = post(owner_client, "/staff/account/password", password_form(PASSWORD))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_with_two_factor_on_a_new_password_also_needs_a_code(app, owner_client, owner):
    secret, _ = turn_on_two_factor(owner_client)
    without = post(owner_client, "/staff/account/password", password_form(PASSWORD, code=""))
    assert without.status_code == 422
    assert translated("fi", "The code is wrong or too old.") in without.text
    assert post(owner_client, "/staff/account/password",
                password_form(PASSWORD, code=next_code(secret))).status_code == 303


def test_turning_two_factor_off_needs_the_password_and_a_code(app, owner_client, owner):
    secret, codes = turn_on_two_factor(owner_client)
    assert post(owner_client, "/staff/account/two-factor/off").status_code == 422
    assert post(owner_client, "/staff/account/two-factor/off",
                {"off-current_password": PASSWORD, "off-code": "000000"}).status_code == 422
    assert login_form(app.test_client(), owner.email, PASSWORD).headers[
        "Location"].startswith("/staff/login/code")  # still on
    assert post(owner_client, "/staff/account/two-factor/off",
                {"off-current_password": PASSWORD, "off-code": codes[0]}).status_code == 303
    assert login_form(app.test_client(), owner.email, PASSWORD).headers[
        "Location"] == "/staff/calendar/"


def test_two_factor_cannot_be_turned_off_when_the_owner_requires_it(app, owner_client, owner):
    secret, codes = turn_on_two_factor(owner_client)
    with models.db.connection_context():
        Business.update(require_two_factor=True).execute()
    response = post(owner_client, "/staff/account/two-factor/off",
                    {"off-current_password": PASSWORD, "off-code": codes[0]})
    assert response.status_code == 303
    with models.db.connection_context():
        assert User.get_by_id(owner.id).totp_secret == secret


def test_new_recovery_codes_need_the_password_and_a_code_and_replace_the_old(
        app, owner_client, owner):
    secret, old = turn_on_two_factor(owner_client)
    assert post(owner_client, "/staff/account/recovery-codes",
                {"codes-current_password": PASSWORD, "codes-code": "000000"}).status_code == 422
    made = post(owner_client, "/staff/account/recovery-codes",
                {"codes-current_password": PASSWORD, "codes-code": next_code(secret)})
    assert made.status_code == 200
    new = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", made.text)
    assert len(new) == 10 and not set(new) & set(old)

    def with_code(code):
        client = app.test_client()
        login_form(client, owner.email, PASSWORD)
        page = client.get("/staff/login/code")
        return client.post("/staff/login/code", data={
            "csrf_token": csrf_token(page.text), "code": code}).status_code

    assert with_code(old[1]) == 422
    assert with_code(new[0]) == 303


def test_each_change_to_how_an_account_logs_in_is_e_mailed_to_it(
        app, staff_client, staff_account, mail_server):
    import worker

    secret, codes = turn_on_two_factor(staff_client)
    made = post(staff_client, "/staff/account/recovery-codes",
                {"codes-current_password": PASSWORD, "codes-code": codes[0]})
    new_codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", made.text)
    assert post(staff_client, "/staff/account/password",
                password_form(PASSWORD, code=next_code(secret))).status_code == 303
    assert post(staff_client, "/staff/account/two-factor/off",
                {"off-current_password": NEW_PASSWORD, "off-code": new_codes[0]}).status_code == 303
    with app.app_context(), models.db.connection_context():
        worker.send_due()
    messages = mail_server.to(staff_account.email)
    assert len(messages) == 3
    subject = translated("fi", "A change to how you log in to the back office")
    assert {message["Subject"] for message in messages} == {subject}
    texts = [message.get_body(("plain",)).get_content() for message in messages]
    email = staff_account.email
    for text, sentence in zip(texts, (
            "New recovery codes were made for your account %(email)s %(when)s. The earlier "
            "codes no longer work.",
            "The password of your account %(email)s was changed %(when)s. Every other "
            "session of the account was ended.",
            "Two-factor login was turned off for your account %(email)s %(when)s. Logging "
            "in now needs only the password."), strict=True):
        start = translated("fi", sentence, email=email, when="@").split("@")[0]
        assert start in text and " klo " in text
        assert translated("fi", NOT_YOU) in " ".join(text.split())


def test_a_password_set_through_a_new_link_ends_every_session_and_is_e_mailed(
        app, staff_client, staff_account):
    with models.db.connection_context():
        token = invite(User.get_by_id(staff_account.id))
    client = app.test_client()
    page = client.get(f"/staff/invitation/{token}")
    assert client.post(f"/staff/invitation/{token}", data={
        "csrf_token": csrf_token(page.text), "password": NEW_PASSWORD,
        "repeat": NEW_PASSWORD}).status_code == 303
    assert staff_client.get("/staff/customers/").status_code == 302
    with models.db.connection_context():
        [told] = OutboxMessage.select().where(OutboxMessage.kind == ACCOUNT_CHANGED)
    assert (told.user_id, told.detail["change"]) == (staff_account.id, "password")


class Browser:
    """A browser of the real server: it keeps its cookies and follows no redirect."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base, cookies=None):
        self.base = base
        self.cookies = cookies or CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._Stay)

    def open(self, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()


@pytest.mark.server
def test_two_server_processes_share_sessions_and_login_counts(server, owner):
    """gunicorn with two workers and the default settings, as the README runs it: a
    logout holds in both, and both count the same failed logins."""
    browser = Browser(server.url)
    _, page = browser.open("/staff/login")
    token = csrf_token(page)
    status, _ = browser.open("/staff/login", {"csrf_token": token, "email": owner.email,
                                              "password": PASSWORD})
    assert status == 303
    copied = CookieJar()
    for cookie in browser.cookies:
        copied.set_cookie(cookie)
    thief = Browser(server.url, copied)
    assert [thief.open("/staff/customers/")[0] for _ in range(4)] == [200] * 4
    _, page = browser.open("/staff/customers/")
    assert browser.open("/staff/logout", {"csrf_token": csrf_token(page)})[0] == 303
    assert [thief.open("/staff/customers/")[0] for _ in range(4)] == [302] * 4

    guesser = Browser(server.url)
    token = csrf_token(guesser.open("/staff/login")[1])
    statuses = [guesser.open("/staff/login", {
        "csrf_token": token, "email": f"arvaus{n}@example.fi", "password": "wrong"})[0]
        for n in range(30)]
    assert statuses == [401] * 10 + [429] * 20
