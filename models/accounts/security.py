"""A user's own changes to how they log in: a new password, two-factor login off, new
recovery codes, and a password set through a one-time link.

A session alone is not enough for any of them: each asks for the current password, and
a current code when two-factor login is on, so a copied cookie cannot take an account
over. Each ends the sessions it must and is told to the account by e-mail, in the same
transaction, so that its holder hears of a change they did not make.
"""


from engines import clock
from engines.clock import utc_now
from models import db
from models.accounts import sessions
from models.accounts.users import Invitation, RecoveryCode, User, check_new_password
from models.business import Business
from models.messages import outbox

PASSWORD = "password"
TWO_FACTOR_OFF = "two_factor_off"
RECOVERY_CODES = "recovery_codes"
CHANGES = (PASSWORD, TWO_FACTOR_OFF, RECOVERY_CODES)


class NotConfirmed(ValueError):
    """The user did not prove who they are; `field` says what was wrong ("password",
    "code")."""

    def __init__(self, field):
        super().__init__(field)
        self.field = field


class TwoFactorRequired(ValueError):
    """Two-factor login cannot be turned off: the owner requires it of everyone."""


def confirm(user, password, code):
    """Refuse (NotConfirmed) unless `password` is the user's and, while two-factor login
    is on, `code` is a current code of their app or one of their recovery codes (which
    is used up)."""
    if not user.password_matches(password or ""):
        raise NotConfirmed("password")
    code = (code or "").strip()
    if user.totp_secret and not (user.use_totp_code(code) or user.use_recovery_code(code)):
        raise NotConfirmed("code")


def _tell(user, change):
    """Queue the e-mail that tells the account's holder of `change`."""
    at = clock.now()
    outbox.add(outbox.ACCOUNT_CHANGED, f"{outbox.ACCOUNT_CHANGED}:{user.id}:{at.isoformat()}",
               user_id=user.id, change=change, at=at.isoformat())


def change_password(user, current, code, new, keep):
    """Give `user` the password `new`; every session but `keep` (the one in use) ends.
    Raises WeakPassword for a password that may not be used, NotConfirmed first."""
    check_new_password(new, user.email)
    confirm(user, current, code)
    user.set_password(new)
    with db.atomic():
        User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
        sessions.end_all(user, keep=keep)
        _tell(user, PASSWORD)


def turn_off_two_factor(user, password, code):
    if Business.current().require_two_factor:
        raise TwoFactorRequired()
    confirm(user, password, code)
    with db.atomic():
        User.update(totp_secret=None).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        _tell(user, TWO_FACTOR_OFF)
    user.totp_secret = None


def replace_recovery_codes(user, password, code):
    """New recovery codes in place of the old ones; returns them (shown once)."""
    confirm(user, password, code)
    with db.atomic():
        codes = user.new_recovery_codes()
        _tell(user, RECOVERY_CODES)
    return codes


def accept_invitation(invitation, password):
    """Set the password and use up the invitation; False if it was used meanwhile.
    Every session of the account ends (the link is also how a forgotten password is
    replaced), and a password replaced this way is told to the account. Raises
    WeakPassword for a password that may not be used."""
    user = invitation.user
    had_password = user.password_hash is not None
    user.set_password(password)
    with db.atomic():
        used = Invitation.update(used_at=utc_now()).where(
            (Invitation.id == invitation.id) & Invitation.used_at.is_null()
        ).execute()
        if used != 1:
            return False
        User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
        sessions.end_all(user)
        if had_password:
            _tell(user, PASSWORD)
    return True
