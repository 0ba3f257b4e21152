"""Who may enter the back office: logins, roles, the idle timeout, the audit trail.

Every back-office blueprint calls `staff_only(blueprint)` or `owner_only(blueprint)`
once; there are no per-view decorators to forget. The session cookie holds only the id
of a session kept in the database (models/accounts/sessions.py), checked on every request.
"""


from flask import abort, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from engines import clock
from models.accounts import sessions
from models.business import Business
from models.privacy.audit import record

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in to continue.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(token):
    user, g.idle_session_ended = sessions.user_of(token, clock.now())
    return user


def _require_login():
    if not current_user.is_authenticated:
        if g.get("idle_session_ended"):
            session.clear()
            return redirect(url_for("auth.login", next=request.full_path, idle=1))
        return login_manager.unauthorized()
    if (Business.current().require_two_factor and not current_user.totp_secret
            and request.endpoint not in TWO_FACTOR_SETUP):
        return redirect(url_for("auth.two_factor"))
    return None


TWO_FACTOR_SETUP = {"auth.two_factor", "auth.logout", "static"}


def staff_only(blueprint):
    """Every route of `blueprint` needs a logged-in staff or owner account."""
    blueprint.before_request(_require_login)
    return blueprint


def owner_only(blueprint):
    """Every route of `blueprint` needs the owner's account; staff get 403."""

    def require_owner():
        refused = _require_login()
        if refused is not None:
            return refused
        if not current_user.is_owner:
            abort(403)
        return None

    blueprint.before_request(require_owner)
    return blueprint


def audit(action, **what):
    """Record in the audit log what the logged-in user did, from which address."""
    user = current_user if current_user.is_authenticated else None
    return record(action, user=user, ip=request.remote_addr or "", **what)
