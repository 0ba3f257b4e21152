"""Back-office accounts: logging in, throttling, two-factor codes, invitations, roles."""

import re
import threading
from datetime import timedelta

import pyotp
import pytest
from support import (
    PASSWORD,
    csrf_token,
    log_in,
    login_form,
    next_code,
    staff_urls,
    translated,
    turn_on_two_factor,
)

import models
import models.accounts.users
from models.accounts.users import Invitation, User, create_user, invite
from models.privacy.audit import AuditEntry
from web.limits import limiter

TOO_MANY = ("Too many attempts. Wait a while and try again; the wait grows with each "
            "failed attempt, but never locks you out for good.")
KNOWN_ONLY = ("This account has had very many failed login attempts, so for now it can be "
              "logged in to only from places where it has been logged in before. Elsewhere, "
              "ask the owner for a new link to set your password.")


def test_every_staff_route_sends_anonymous_visitor_to_login(app, shop):
    client = app.test_client()
    checked = 0
    for endpoint, method, url in staff_urls(app):
        response = client.open(url, method=method)
        if method == "GET":
            assert response.status_code == 302, (endpoint, url)
            assert "/staff/login" in response.headers["Location"], (endpoint, url)
        else:  # refused before anything happens: no CSRF token, no session
            assert response.status_code in (302, 400), (endpoint, url)
        checked += 1
    assert checked > 5


def test_every_owner_route_refuses_staff_account(app, staff_client):
    owner_endpoints = [
        (endpoint, method, url) for endpoint, method, url in staff_urls(app)
        if endpoint.startswith("owner.")
    ]
    assert owner_endpoints
    for endpoint, method, url in owner_endpoints:
        response = staff_client.open(url, method=method, data={"csrf_token": staff_client.csrf})
        assert response.status_code == 403, (endpoint, method, url)


def test_owner_reaches_owner_pages(owner_client):
    assert owner_client.get("/staff/settings/").status_code == 200
    assert owner_client.get("/staff/audit/").status_code == 200


def test_login_is_audited_and_leads_to_calendar(app, owner):
    client = app.test_client()
    response = login_form(client, owner.email, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/calendar/")
    with models.db.connection_context():
        entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.user_id) == ("user.login", owner.id)


def test_wrong_email_and_wrong_password_get_the_same_message(app, owner):
    client = app.test_client()
    client.set_cookie("lang", "en")
    wrong_password = login_form(client, owner.email, "not the password at all")
    wrong_email = login_form(client, "nobody@hieronta.example", PASSWORD)
    assert wrong_password.status_code == wrong_email.status_code == 401
    message = "The e-mail address or the password is wrong."
    assert message in wrong_password.text and message in wrong_email.text
    assert f'value="{owner.email}"' in wrong_password.text  # what was typed is kept


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(app, owner):
    client = app.test_client()
    page = client.get("/staff/login?next=/staff/customers/")
    response = client.post("/staff/login?next=/staff/customers/", data={
        "csrf_token": csrf_token(page.text), "email": owner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/staff/customers/"
    client = app.test_client()
    page = client.get("/staff/login")
    response = client.post("/staff/login?next=https://evil.example/", data={
        "csrf_token": csrf_token(page.text), "email": owner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/staff/calendar/"


def test_login_without_csrf_token_is_refused(app, owner):
    response = app.test_client().post("/staff/login", data={
        "email": owner.email, "password": PASSWORD})
    assert response.status_code == 400


def test_failed_logins_are_throttled_per_account_and_address_and_never_for_good(app, owner):
    client = app.test_client()
    statuses = [login_form(client, owner.email, f"wrong password {n}").status_code
                for n in range(7)]
    assert statuses == [401] * 5 + [429, 429]
    throttled = login_form(client, owner.email, PASSWORD)
    assert throttled.status_code == 429  # from this address even the right password waits
    assert translated("fi", TOO_MANY) in throttled.text
    assert f'value="{owner.email}"' in throttled.text
    assert 0 < int(throttled.headers["Retry-After"]) <= 60
    limiter.reset()  # the window passes
    assert login_form(client, owner.email, PASSWORD).status_code == 303


def test_throttling_of_one_account_does_not_block_another(app, owner, staff_account):
    client = app.test_client()
    for n in range(6):
        login_form(client, owner.email, f"wrong password {n}")
    assert login_form(client, staff_account.email, PASSWORD).status_code == 303


def test_one_address_trying_many_accounts_is_throttled(app, shop):
    client = app.test_client()
    statuses = [login_form(client, f"arvaus{n}@example.fi", "wrong password").status_code
                for n in range(11)]
    assert statuses == [401] * 10 + [429]


def test_failures_from_changing_addresses_never_lock_the_real_user_out(app, owner):
    """Guesses from many addresses slow down only the addresses that failed: the right
    password from an address without failures gets in at once."""
    client = app.test_client()
    for n in range(20):
        guess = login_form(client, owner.email, f"wrong {n}", address=f"198.51.100.{n}")
        assert guess.status_code == 401
    assert login_form(client, owner.email, PASSWORD, address="203.0.113.7").status_code == 303


def test_an_address_that_failed_waits_while_its_account_is_slowed_down(app, owner,
                                                                       staff_account):
    client = app.test_client()
    assert login_form(client, owner.email, PASSWORD, address="192.0.2.9").status_code == 303
    for address in ("192.0.2.1", "192.0.2.9"):  # each fails once, on another account
        assert login_form(client, staff_account.email, "wrong", address=address).status_code == 401
    for n in range(5):
        login_form(client, owner.email, f"wrong {n}", address=f"198.51.100.{n}")
    slowed = login_form(client, owner.email, PASSWORD, address="192.0.2.1")
    assert slowed.status_code == 429 and 0 < int(slowed.headers["Retry-After"]) <= 60
    # The address the owner has logged in from before is not slowed down.
    assert login_form(client, owner.email, PASSWORD, address="192.0.2.9").status_code == 303


def test_past_100_failures_in_a_row_only_known_places_get_in(app, owner):
    """NIST SP 800-63B: at most 100 failures in a row on one account. After them the
    account is logged in to only from addresses it was logged in from before, until such
    a login ends the run."""
    client = app.test_client()
    assert login_form(client, owner.email, PASSWORD, address="192.0.2.9").status_code == 303
    guesser = app.test_client()
    token = csrf_token(guesser.get("/staff/login").text)
    for n in range(100):
        guess = guesser.post("/staff/login", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
                             data={"csrf_token": token, "email": owner.email,
                                   "password": f"wrong {n}"})
        assert guess.status_code == 401, n
    elsewhere = login_form(client, owner.email, PASSWORD, address="203.0.113.7")
    assert elsewhere.status_code == 429 and int(elsewhere.headers["Retry-After"]) > 3600
    assert translated("fi", KNOWN_ONLY) in elsewhere.text
    assert login_form(client, owner.email, PASSWORD, address="192.0.2.9").status_code == 303
    assert login_form(client, owner.email, PASSWORD, address="203.0.113.7").status_code == 303


def test_an_unknown_or_disabled_account_takes_the_same_hash_check_as_a_real_one(
        app, owner, monkeypatch):
    """The answer takes as long whether or not the e-mail has an account: every login
    checks one argon2id hash with the same parameters."""
    from argon2 import PasswordHasher, extract_parameters

    checked = []

    class Watched(PasswordHasher):
        def verify(self, hash, password):
            checked.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(models.accounts.users, "hasher",
                        Watched(time_cost=1, memory_cost=8, parallelism=1))
    client = app.test_client()
    login_form(client, owner.email, "not the password at all")
    login_form(client, "nobody@hieronta.example", PASSWORD)
    with models.db.connection_context():
        User.update(active=False).where(User.id == owner.id).execute()
    login_form(client, owner.email, PASSWORD)
    real, unknown, disabled = checked
    assert unknown == disabled != real
    assert extract_parameters(unknown) == extract_parameters(real)


def test_session_is_new_after_login(app, owner):
    client = app.test_client()
    client.get("/staff/login")
    before = client.get_cookie("session").value
    login_form(client, owner.email, PASSWORD)
    assert client.get_cookie("session").value != before


def test_logout_ends_the_session(owner_client):
    response = owner_client.post("/staff/logout", data={"csrf_token": owner_client.csrf})
    assert response.status_code == 303
    assert owner_client.get("/staff/calendar/").status_code == 302


def test_log_out_everywhere_ends_other_sessions(app, owner):
    laptop = log_in(app.test_client(), owner.email)
    tablet = log_in(app.test_client(), owner.email)
    laptop.post("/staff/account/logout-everywhere", data={"csrf_token": laptop.csrf})
    assert tablet.get("/staff/calendar/").status_code == 302
    assert laptop.get("/staff/calendar/").status_code == 302


def test_disabled_account_cannot_log_in(app, owner):
    with models.db.connection_context():
        User.update(active=False).where(User.id == owner.id).execute()
    assert login_form(app.test_client(), owner.email, PASSWORD).status_code == 401


def test_password_rules(app, owner):
    from models.accounts.users import WeakPassword, check_new_password

    for weak, code in (("short", "too_short"), ("x" * 129, "too_long"),
                       ("salasana123456", "common"), ("Qwertyuiop123", "common"),
                       ("olli-2024-olli-2024", "common")):
        with pytest.raises(WeakPassword) as problem:
            check_new_password(weak, "olli@hieronta.example")
        assert problem.value.code == code
    check_new_password("kuusi kirahvia kävelee", "olli@hieronta.example")
    check_new_password("x" * 128 + "", "")  # 128 is accepted


@pytest.mark.real_password_hashing
def test_password_is_stored_as_argon2id_and_rehashed_when_parameters_change(app, owner):
    from argon2 import PasswordHasher

    import models.accounts.users as users

    with models.db.connection_context():
        stored = User.get_by_id(owner.id).password_hash
        assert stored.startswith("$argon2id$")
        weaker = PasswordHasher(time_cost=1, memory_cost=8192)
        User.update(password_hash=weaker.hash(PASSWORD)).where(User.id == owner.id).execute()
    assert login_form(app.test_client(), owner.email, PASSWORD).status_code == 303
    with models.db.connection_context():
        rehashed = User.get_by_id(owner.id).password_hash
    assert not users.hasher.check_needs_rehash(rehashed) and rehashed.startswith("$argon2id$")
    assert users.hasher.memory_cost >= 19 * 1024  # at least OWASP's minimum for argon2id


def test_two_factor_login_with_app_code_or_recovery_code(app, owner_client, owner):
    secret, codes = turn_on_two_factor(owner_client)
    client = app.test_client()
    response = login_form(client, owner.email, PASSWORD)
    assert response.headers["Location"].startswith("/staff/login/code")
    assert client.get("/staff/calendar/").status_code == 302  # not in yet
    page = client.get("/staff/login/code")
    wrong = client.post("/staff/login/code", data={
        "csrf_token": csrf_token(page.text), "code": "000000"})
    assert wrong.status_code == 422
    right = client.post("/staff/login/code", data={
        "csrf_token": csrf_token(page.text), "code": next_code(secret)})
    assert right.status_code == 303
    assert client.get("/staff/calendar/").status_code == 200
    recovery = app.test_client()
    login_form(recovery, owner.email, PASSWORD)
    page = recovery.get("/staff/login/code")
    token = csrf_token(page.text)
    assert recovery.post("/staff/login/code", data={
        "csrf_token": token, "code": codes[0]}).status_code == 303
    again = app.test_client()
    login_form(again, owner.email, PASSWORD)
    page = again.get("/staff/login/code")
    assert again.post("/staff/login/code", data={
        "csrf_token": csrf_token(page.text), "code": codes[0]}).status_code == 422


def code_form(client, code):
    page = client.get("/staff/login/code")
    return client.post("/staff/login/code", data={
        "csrf_token": csrf_token(page.text), "code": code})


def test_a_two_factor_code_works_once(app, owner_client, owner):
    secret, _ = turn_on_two_factor(owner_client)
    code = next_code(secret)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        login_form(client, owner.email, PASSWORD)
    assert code_form(first, code).status_code == 303
    refused = code_form(second, code)
    assert refused.status_code == 422
    assert translated("fi", "The code is wrong or too old.") in refused.text
    assert second.get("/staff/calendar/").status_code == 302


def test_the_code_that_turned_two_factor_on_does_not_log_in(app, owner_client, owner):
    """Turning two-factor login on checks and uses its code as logging in does."""
    page = owner_client.get("/staff/account/two-factor")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text).group(1)
    code = pyotp.TOTP(secret).now()
    assert owner_client.post("/staff/account/two-factor", data={
        "csrf_token": owner_client.csrf, "code": code}).status_code == 200
    client = app.test_client()
    login_form(client, owner.email, PASSWORD)
    assert code_form(client, code).status_code == 422


def test_two_logins_at_the_same_moment_cannot_both_use_one_code(app, owner):
    secret = pyotp.random_base32()
    with models.db.connection_context():
        User.update(totp_secret=secret).where(User.id == owner.id).execute()
    code = pyotp.TOTP(secret).now()
    start = threading.Barrier(4)
    accepted = []

    def log_in_with_the_code():
        with models.db.connection_context():
            user = User.get_by_id(owner.id)
            start.wait()
            accepted.append(user.use_totp_code(code))

    threads = [threading.Thread(target=log_in_with_the_code) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(accepted) == [False, False, False, True]


def test_wrong_codes_are_throttled_with_a_time_to_wait(app, owner_client, owner):
    turn_on_two_factor(owner_client)
    client = app.test_client()
    login_form(client, owner.email, PASSWORD)
    statuses = [code_form(client, "000000").status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    assert int(code_form(client, "000000").headers["Retry-After"]) > 0


def test_owner_can_require_two_factor_for_everyone(app, staff_client):
    from models.business import Business

    with models.db.connection_context():
        Business.update(require_two_factor=True).execute()
    response = staff_client.get("/staff/calendar/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/account/two-factor")
    turn_on_two_factor(staff_client)
    assert staff_client.get("/staff/calendar/").status_code == 200


def test_invitation_link_sets_password_once(app, shop):
    with models.db.connection_context():
        user = create_user("eero@hieronta.example", "Eero Esimerkki", "staff", staff_member=2)
        token = invite(user)
    client = app.test_client()
    page = client.get(f"/staff/invitation/{token}")
    assert page.status_code == 200 and "eero@hieronta.example" in page.text
    weak = client.post(f"/staff/invitation/{token}", data={
        "csrf_token": csrf_token(page.text), "password": "salasana", "repeat": "salasana"})
    assert weak.status_code == 422
    response = client.post(f"/staff/invitation/{token}", data={
        "csrf_token": csrf_token(page.text), "password": PASSWORD, "repeat": PASSWORD})
    assert response.status_code == 303
    assert log_in(app.test_client(), "eero@hieronta.example")
    assert client.get(f"/staff/invitation/{token}").status_code == 404  # used up


def test_tries_at_an_invitation_link_are_throttled_with_a_time_to_wait(app, shop):
    with models.db.connection_context():
        token = invite(create_user("eero@hieronta.example", "Eero", "staff"))
    client = app.test_client()
    page = client.get(f"/staff/invitation/{token}")
    statuses = [client.post(f"/staff/invitation/{token}", data={
        "csrf_token": csrf_token(page.text), "password": "lyhyt", "repeat": "lyhyt"}
    ).status_code for _ in range(21)]
    assert statuses == [422] * 20 + [429]
    refused = client.post(f"/staff/invitation/{token}", data={
        "csrf_token": csrf_token(page.text), "password": PASSWORD, "repeat": PASSWORD})
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3600


def test_expired_invitation_gets_a_clear_page(app, shop):
    with models.db.connection_context():
        user = create_user("eero@hieronta.example", "Eero", "staff")
        token = invite(user)
        invitation = Invitation.get(Invitation.user == user)
        invitation.expires_at -= timedelta(hours=49)
        invitation.save()
    response = app.test_client().get(f"/staff/invitation/{token}")
    assert response.status_code == 404
    assert "48" in response.text


def test_create_user_command_prints_a_one_time_link(runner, shop):
    result = runner.invoke(args=["create-user", "omistaja@hieronta.example",
                                 "--role", "owner", "--link"])
    assert result.exit_code == 0, result.output
    assert re.search(r"/staff/invitation/[\w-]{40,}", result.output)
    again = runner.invoke(args=["create-user", "omistaja@hieronta.example", "--role", "owner"])
    assert again.exit_code != 0
    assert "Osoitteelle omistaja@hieronta.example on jo käyttäjätili." in again.output


def test_an_owner_who_forgot_the_password_gets_back_in_with_reset_password(app, runner,
                                                                        owner):
    app.config["BASE_URL"] = "https://ajanvaraus.example.fi"
    result = runner.invoke(args=["reset-password", "Olli@Hieronta.example"])
    assert result.exit_code == 0, result.output
    link = re.search(r"https://ajanvaraus\.example\.fi(/staff/invitation/[\w-]{40,})",
                     result.output).group(1)
    client = app.test_client()
    page = client.get(link)
    new_password = "seitsemän siiliä sukeltaa syvälle"
    done = client.post(link, data={"csrf_token": csrf_token(page.text),
                                   "password": new_password, "repeat": new_password})
    assert done.status_code == 303
    assert log_in(app.test_client(), owner.email, new_password)
    unknown = runner.invoke(args=["reset-password", "nobody@hieronta.example"])
    assert unknown.exit_code == 1
    assert "Osoitteelle nobody@hieronta.example ei ole käyttäjätiliä" in unknown.output


def test_create_user_command_asks_for_password(app, runner, shop):
    result = runner.invoke(
        args=["create-user", "aino@hieronta.example", "--role", "staff"],
        input=f"lyhyt\nlyhyt\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert translated("fi", "Use at least %(min)d characters.", min=12) in result.output
    assert log_in(app.test_client(), "aino@hieronta.example")


def test_throttle_counts_are_shared_through_redis(database_url, owner):
    """Two app servers with the Redis setting count the same attempts."""
    import redis

    from app import create_app

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    servers = [create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k",
                           "DEVELOPMENT": True, "RATELIMIT_STORAGE_URL": url})
               for _ in range(2)]
    for n in range(5):
        login_form(servers[n % 2].test_client(), owner.email, f"wrong {n}")
    assert login_form(servers[0].test_client(), owner.email, PASSWORD).status_code == 429
    assert login_form(servers[1].test_client(), owner.email, PASSWORD).status_code == 429
    redis.Redis.from_url(url).flushdb()


def test_staff_cannot_reach_owner_objects_by_changing_ids(app, staff_client, owner):
    """A staff account that types another object's id into an owner address gets 403,
    and nothing changes."""
    from models.business.catalogue import Service

    for url in (f"/staff/accounts/{owner.id}/disable", f"/staff/accounts/{owner.id}/invitation",
                "/staff/settings/services/2", "/staff/settings/staff/2/hours"):
        response = staff_client.post(url, data={"csrf_token": staff_client.csrf,
                                                "price": "0,00", "duration_minutes": "1"})
        assert response.status_code == 403, url
    for url in ("/staff/settings/services/2", "/staff/settings/staff/2", "/staff/audit/export.csv"):
        assert staff_client.get(url).status_code == 403, url
    with models.db.connection_context():
        assert User.get_by_id(owner.id).active
        assert Service.get_by_id(2).price_cents == 6500
        assert not Invitation.select().where(Invitation.user == owner.id).exists()


def checked(page, name):
    tag = re.search(rf'<input type="checkbox"[^>]*name="{name}"[^>]*>', page).group(0)
    return " checked" in tag


def test_staff_choose_which_e_mail_they_get(staff_client, staff_account):
    page = staff_client.get("/staff/account/").text
    assert checked(page, "notify_bookings") and checked(page, "notify_contact_requests")
    response = staff_client.post("/staff/account/notifications", data={
        "csrf_token": staff_client.csrf, "notify_contact_requests": "y"})
    assert response.status_code == 303
    with models.db.connection_context():
        saved = User.get_by_id(staff_account.id)
    assert (saved.notify_bookings, saved.notify_contact_requests) == (False, True)
    page = staff_client.get("/staff/account/").text
    assert not checked(page, "notify_bookings") and checked(page, "notify_contact_requests")


def test_back_office_address_leads_to_the_login_or_the_calendar(client, owner):
    assert client.get("/staff/").headers["Location"] == "/staff/login"
    logged_in = log_in(client, owner.email)
    assert logged_in.get("/staff/").headers["Location"] == "/staff/calendar/"


def test_a_refused_login_never_writes_the_password_back_into_the_page(client, owner):
    typed = "väärä salasana joka on pitkä"
    response = login_form(client, owner.email, typed)
    assert response.status_code == 401
    assert typed not in response.text and owner.email in response.text
