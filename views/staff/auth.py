"""Logging in and out of the back office, invitations, and a user's own account."""

import time

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from models.accounts import security as account_security
from models.accounts import sessions
from models.accounts.security import NotConfirmed, TwoFactorRequired
from models.accounts.users import (
    authenticate,
    awaiting_code,
    invitation_for,
    new_totp_secret,
    totp_address,
)
from models.business import setup
from views.staff.auth_forms import (
    ButtonForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    LoginForm,
    NewPasswordForm,
    NotificationsForm,
    TwoFactorForm,
)
from web.access import audit, staff_only
from web.limits import limiter, login_failed, login_succeeded, login_wait
from web.rendering import redirect_after_post, render
from web.security import local_path

blueprint = Blueprint("auth", __name__, url_prefix="/staff")
account = staff_only(Blueprint("account", __name__, url_prefix="/staff/account"))

LOGIN_FAILED = _l("The e-mail address or the password is wrong.")
TOO_MANY = _l("Too many attempts. Wait a while and try again; the wait grows with each "
              "failed attempt, but never locks you out for good.")
KNOWN_ONLY = _l("This account has had very many failed login attempts, so for now it "
                "can be logged in to only from places where it has been logged in before. "
                "Elsewhere, ask the owner for a new link to set your password.")
# The password was right and the code is still to be given, for this long.
PENDING = "pending_login"
PENDING_VALID = 10 * 60


def safe_next(default):
    target = local_path(request.args.get("next"), "")
    return target if target.startswith("/staff") else default


def too_many_attempts(form, wait, page):
    """`page(429)`: the form again with what was typed, saying how it is throttled,
    and the seconds to wait in Retry-After."""
    form.form_errors.append(str(KNOWN_ONLY if wait.known_only else TOO_MANY))
    response = page(429)
    response.headers["Retry-After"] = str(wait.seconds)
    return response


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.args.get("idle"):
        form.form_errors.append(gettext("You were logged out after a long pause."))
    if not form.validate_on_submit():
        return render("auth/login.html", status=422 if form.errors else 200, form=form)
    email = form.email.data.strip().lower()
    wait = login_wait(email)
    if wait:
        return too_many_attempts(
            form, wait, lambda status: render("auth/login.html", status=status, form=form))
    user = authenticate(email, form.password.data)
    if user is None:
        login_failed(email)
        form.form_errors.append(str(LOGIN_FAILED))
        return render("auth/login.html", status=401, form=form)
    session.clear()  # a new session at login: nothing from before carries over
    if user.totp_secret:
        session[PENDING] = [user.id, time.time()]
        return redirect(url_for(".code", next=safe_next("")), 303)
    return finish_login(user)


def finish_login(user):
    session.clear()
    sessions.start(user)
    login_user(user)
    login_succeeded(user.email)
    audit("user.login")
    return redirect(safe_next(landing(user)), 303)


def landing(user):
    """Where a login leads: the owner of a site not yet open to the setup's steps,
    everyone else to the calendar."""
    if user.is_owner and not setup.is_open():
        return url_for("setup.index")
    return url_for("calendar.day")


def pending_user():
    """The account whose password was just given, while its code is awaited."""
    user_id, since = session.get(PENDING) or (None, 0)
    if user_id is None or time.time() - since > PENDING_VALID:
        return None
    return awaiting_code(user_id)


@blueprint.route("/login/code", methods=["GET", "POST"])
def code():
    user = pending_user()
    if user is None:
        return redirect(url_for(".login"), 303)
    form = CodeForm()
    if not form.validate_on_submit():
        return render("auth/code.html", status=422 if form.errors else 200, form=form)
    wait = login_wait(user.email)
    if wait:
        return too_many_attempts(
            form, wait, lambda status: render("auth/code.html", status=status, form=form))
    if not account_security.use_second_factor(user, form.code.data):
        login_failed(user.email)
        form.code.errors.append(gettext("The code is wrong or too old."))
        return render("auth/code.html", status=422, form=form)
    return finish_login(user)


@blueprint.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.end(current_user.session_token)
    logout_user()
    session.clear()
    flash(gettext("You have logged out."), "info")
    return redirect_after_post(url_for(".login"))


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def invitation(token):
    """The one-time link that lets a new user (or one who forgot) set a password."""
    found = invitation_for(token)
    if found is None:
        return render("auth/invitation_invalid.html", status=404)
    form = NewPasswordForm(found.user.email)
    if not form.validate_on_submit():
        return render("auth/invitation.html", status=422 if form.errors else 200,
                      form=form, user=found.user)
    if not account_security.accept_invitation(found, form.password.data):
        return render("auth/invitation_invalid.html", status=404)
    login_succeeded(found.user.email)
    flash(gettext("Your password is set. Log in with it."), "success")
    return redirect_after_post(url_for(".login"))


def account_page(status=200, **forms):
    forms.setdefault("password_form", ChangePasswordForm())
    forms.setdefault("off_form", ConfirmForm(prefix="off"))
    forms.setdefault("codes_form", ConfirmForm(prefix="codes"))
    forms.setdefault("notifications_form", NotificationsForm.of(current_user))
    return render("auth/account.html", status=status, form=ButtonForm(), **forms)


def confirmed(form, change, refused_page):
    """`change()` (a model function that checks the current password and code), and
    None; or, when the user did not prove who they are, None and `refused_page(status)`
    with the reason at the field. Wrong tries count and wait as failed logins do."""
    email = current_user.email
    wait = login_wait(email)
    if wait:
        return None, too_many_attempts(form, wait, refused_page)
    try:
        result = change()
    except NotConfirmed as problem:
        login_failed(email)
        form.refused(problem)
        return None, refused_page(422)
    login_succeeded(email)
    return result, None


@account.get("/")
def settings():
    return account_page()


@account.post("/notifications")
def notifications():
    form = NotificationsForm()
    if form.validate_on_submit():
        current_user.choose_notifications(form.notify_bookings.data,
                                          form.notify_contact_requests.data)
        flash(gettext("Your e-mail choices are saved."), "success")
    return redirect_after_post(url_for(".settings"))


@account.post("/password")
def change_password():
    form = ChangePasswordForm(current_user.email)
    if not form.validate_on_submit():
        return account_page(status=422, password_form=form)
    _, refused = confirmed(form, lambda: account_security.change_password(
        current_user, form.current_password.data, form.code.data, form.password.data,
        keep=current_user.session_token),
        lambda status: account_page(status=status, password_form=form))
    if refused:
        return refused
    flash(gettext("Your password is changed. You were logged out everywhere else."),
          "success")
    return redirect_after_post(url_for(".settings"))


@account.post("/logout-everywhere")
def logout_everywhere():
    if ButtonForm().validate_on_submit():
        sessions.end_all(current_user)
        logout_user()
        session.clear()
        flash(gettext("You have logged out on every device."), "info")
    return redirect_after_post(url_for("auth.login"))


@account.post("/two-factor/off")
def two_factor_off():
    form = ConfirmForm(prefix="off")
    if not form.validate_on_submit():
        return account_page(status=422, off_form=form)
    try:
        _, refused = confirmed(form, lambda: account_security.turn_off_two_factor(
            current_user, form.current_password.data, form.code.data),
            lambda status: account_page(status=status, off_form=form))
    except TwoFactorRequired:
        flash(gettext("The owner requires two-factor login; it cannot be turned off."),
              "warning")
        return redirect_after_post(url_for(".settings"))
    if refused:
        return refused
    flash(gettext("Two-factor login is off."), "info")
    return redirect_after_post(url_for(".settings"))


@account.post("/recovery-codes")
def recovery_codes():
    """New recovery codes in place of the old ones, shown once."""
    form = ConfirmForm(prefix="codes")
    if not form.validate_on_submit():
        return account_page(status=422, codes_form=form)
    codes, refused = confirmed(form, lambda: account_security.replace_recovery_codes(
        current_user, form.current_password.data, form.code.data),
        lambda status: account_page(status=status, codes_form=form))
    if refused:
        return refused
    return render("auth/recovery_codes.html", codes=codes, replaced=True)


@blueprint.route("/account/two-factor", methods=["GET", "POST"])
def two_factor():
    """Turn on two-factor login: scan the QR code, confirm with a code, keep the
    recovery codes."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    secret = session.setdefault("new_totp_secret", new_totp_secret())
    form = TwoFactorForm()
    if form.validate_on_submit():
        codes = current_user.turn_on_two_factor(secret, form.code.data)
        if codes is not None:
            session.pop("new_totp_secret")
            return render("auth/recovery_codes.html", codes=codes)
    if form.is_submitted():
        form.code.errors.append(gettext("The code is wrong or too old. Try the newest."))
    uri = totp_address(secret, current_user.email)
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=5, title="QR"))
    return render("auth/two_factor.html", status=422 if form.errors else 200, form=form,
                  secret=secret, qr=qr)


@blueprint.get("/")
def back_office():
    """The back office's own address: the calendar, or the login first."""
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    return redirect(url_for(".login"))
