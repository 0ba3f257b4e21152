"""Logging in and out of the back office, invitations, and a user's own account."""

import pyotp
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

from models import db
from models.business import Business
from models.users import RecoveryCode, User, accept_invitation, invitation_for
from views.access import audit, staff_only

from .auth_forms import (
    ButtonForm,
    CodeForm,
    LoginForm,
    NewPasswordForm,
    NotificationsForm,
    TwoFactorForm,
)
from .limits import failed, limiter, submitted_email
from .rendering import redirect_after_post, render

blueprint = Blueprint("auth", __name__, url_prefix="/staff")
account = staff_only(Blueprint("account", __name__, url_prefix="/staff/account"))

LOGIN_FAILED = _l("The e-mail address or the password is wrong.")
PENDING = "pending_login"
LOGIN_LIMITS = "10 per minute;50 per hour;200 per day"
ACCOUNT_LIMITS = "5 per minute;20 per hour;60 per day"


def safe_next(default):
    target = request.args.get("next") or ""
    return target if target.startswith("/staff") and not target.startswith("//") else default


def too_many_attempts(limit):
    form = LoginForm()
    form.form_errors.append(gettext(
        "Too many attempts. Wait a while and try again; the wait grows with each "
        "failed attempt, but never locks you out for good."))
    return render("auth/login.html", status=429, form=form)


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMITS, methods=["POST"], deduct_when=failed,
               on_breach=too_many_attempts)
@limiter.limit(ACCOUNT_LIMITS, key_func=submitted_email, methods=["POST"],
               deduct_when=failed, on_breach=too_many_attempts)
def login():
    form = LoginForm()
    if request.args.get("idle"):
        form.form_errors.append(gettext("You were logged out after a long pause."))
    if not form.validate_on_submit():
        return render("auth/login.html", status=422 if form.errors else 200, form=form)
    user = User.get_or_none(User.email == form.email.data.strip().lower())
    if user is None or not user.active or not user.password_matches(form.password.data):
        form.form_errors.append(str(LOGIN_FAILED))
        return render("auth/login.html", status=401, form=form)
    session.clear()  # a new session at login: nothing from before carries over
    if user.totp_secret:
        session[PENDING] = user.get_id()
        return redirect(url_for(".code", next=safe_next("")), 303)
    return finish_login(user)


def finish_login(user):
    session.clear()
    login_user(user)
    audit("user.login")
    return redirect(safe_next(url_for("calendar.day")), 303)


@blueprint.route("/login/code", methods=["GET", "POST"])
@limiter.limit(ACCOUNT_LIMITS, key_func=lambda: "code:" + session.get(PENDING, ""),
               methods=["POST"], deduct_when=failed, on_breach=too_many_attempts)
def code():
    user = User.for_session(session.get(PENDING))
    if user is None:
        return redirect(url_for(".login"), 303)
    form = CodeForm()
    if not form.validate_on_submit():
        return render("auth/code.html", status=422 if form.errors else 200, form=form)
    typed = form.code.data.strip()
    if not (user.totp_matches(typed) or user.use_recovery_code(typed)):
        form.code.errors.append(gettext("The code is wrong or too old."))
        return render("auth/code.html", status=422, form=form)
    return finish_login(user)


@blueprint.post("/logout")
def logout():
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
    if not accept_invitation(found, form.password.data):
        return render("auth/invitation_invalid.html", status=404)
    flash(gettext("Your password is set. Log in with it."), "success")
    return redirect_after_post(url_for(".login"))


def account_page(status=200, **forms):
    forms.setdefault("password_form", NewPasswordForm())
    forms.setdefault("notifications_form", NotificationsForm.of(current_user))
    return render("auth/account.html", status=status, form=ButtonForm(), **forms)


@account.get("/")
def settings():
    return account_page()


@account.post("/notifications")
def notifications():
    form = NotificationsForm()
    if form.validate_on_submit():
        User.update(notify_bookings=form.notify_bookings.data,
                    notify_contact_requests=form.notify_contact_requests.data).where(
            User.id == current_user.id).execute()
        flash(gettext("Your e-mail choices are saved."), "success")
    return redirect_after_post(url_for(".settings"))


@account.post("/password")
def change_password():
    form = NewPasswordForm(current_user.email)
    if not form.validate_on_submit():
        return account_page(status=422, password_form=form)
    current_user.set_password(form.password.data)
    current_user.save()
    login_user(current_user)  # the new session version; other sessions end
    flash(gettext("Your password is changed. You were logged out everywhere else."),
          "success")
    return redirect_after_post(url_for(".settings"))


@account.post("/logout-everywhere")
def logout_everywhere():
    if ButtonForm().validate_on_submit():
        current_user.log_out_everywhere()
        logout_user()
        session.clear()
        flash(gettext("You have logged out on every device."), "info")
    return redirect_after_post(url_for("auth.login"))


@account.post("/two-factor/off")
def two_factor_off():
    if Business.current().require_two_factor:
        flash(gettext("The owner requires two-factor login; it cannot be turned off."),
              "warning")
    elif ButtonForm().validate_on_submit():
        with db.atomic():
            User.update(totp_secret=None).where(User.id == current_user.id).execute()
            RecoveryCode.delete().where(RecoveryCode.user == current_user.id).execute()
        flash(gettext("Two-factor login is off."), "info")
    return redirect_after_post(url_for(".settings"))


@blueprint.route("/account/two-factor", methods=["GET", "POST"])
def two_factor():
    """Turn on two-factor login: scan the QR code, confirm with a code, keep the
    recovery codes."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    secret = session.setdefault("new_totp_secret", pyotp.random_base32())
    form = TwoFactorForm()
    if form.validate_on_submit() and pyotp.TOTP(secret).verify(
            form.code.data.replace(" ", ""), valid_window=1):
        with db.atomic():
            User.update(totp_secret=secret).where(User.id == current_user.id).execute()
            codes = User.get_by_id(current_user.id).new_recovery_codes()
        session.pop("new_totp_secret")
        return render("auth/recovery_codes.html", codes=codes)
    if form.is_submitted():
        form.code.errors.append(gettext("The code is wrong or too old. Try the newest."))
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email, issuer_name="Vuoro")
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=5, title="QR"))
    return render("auth/two_factor.html", status=422 if form.errors else 200, form=form,
                  secret=secret, qr=qr)


@blueprint.get("/")
def back_office():
    """The back office's own address: the calendar, or the login first."""
    if current_user.is_authenticated:
        return redirect(url_for("calendar.day"))
    return redirect(url_for(".login"))
