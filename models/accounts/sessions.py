"""Back-office sessions, kept in the database: one row per login, found by a hash of the
random id in the session cookie, checked on every back-office request.

Ending a session is a change to its row, so a copied cookie stops working at once on
every app server: at logout, "log out everywhere", a new password, a disabled account,
and after the business's idle timeout without use.
"""

import hashlib
import secrets
from datetime import timedelta

from peewee import CharField, DateTimeField, ForeignKeyField

from engines.clock import naive_utc, utc_now
from models import BaseModel
from models.accounts.users import User
from models.business import Business
from models.privacy.declaration import STAFF, PersonalData

# Last-seen is written at most this often, not on every request.
SEEN_EVERY = timedelta(minutes=1)


class StaffSession(BaseModel):
    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utc_now)
    last_seen_at = DateTimeField(default=utc_now)
    ended_at = DateTimeField(null=True)

    personal_data = PersonalData(
        {"user": STAFF, "created_at": STAFF, "last_seen_at": STAFF, "ended_at": STAFF},
        not_personal=("id", "token_hash"),
    )

    class Meta:
        table_name = "staff_session"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _idle_limit():
    return timedelta(hours=Business.current().idle_timeout_hours)


def start(user):
    """A new session for `user`; its id, for the cookie (only its hash is stored). The
    account's sessions that have ended are forgotten now."""
    now = utc_now()
    StaffSession.delete().where(
        (StaffSession.user == user.id)
        & (StaffSession.ended_at.is_null(False) | (StaffSession.last_seen_at < now - _idle_limit()))
    ).execute()
    token = secrets.token_urlsafe(32)
    StaffSession.create(token_hash=_hash(token), user=user.id, created_at=now,
                        last_seen_at=now)
    user.session_token = token
    return token


def user_of(token, now):
    """The account of the session `token` at `now` (aware), and whether the session
    has just ended for being idle too long. (None, False) for a session that ended,
    or is unknown, or whose account is disabled."""
    now = naive_utc(now)
    found = (StaffSession.select(StaffSession, User).join(User)
             .where((StaffSession.token_hash == _hash(token or ""))
                    & StaffSession.ended_at.is_null() & User.active)
             .first())
    if found is None:
        return None, False
    if now - found.last_seen_at > _idle_limit():
        _end(StaffSession.id == found.id, now)
        return None, True
    if now - found.last_seen_at >= SEEN_EVERY:
        StaffSession.update(last_seen_at=now).where(
            (StaffSession.id == found.id) & (StaffSession.last_seen_at < now - SEEN_EVERY)
        ).execute()
    user = found.user
    user.session_token = token
    return user, False


def _end(which, now=None):
    StaffSession.update(ended_at=now or utc_now()).where(
        which & StaffSession.ended_at.is_null()).execute()


def end(token):
    """Log out: the session `token` ends."""
    _end(StaffSession.token_hash == _hash(token or ""))


def end_all(user, keep=None):
    """End every session of `user`, except the one `keep` names (the one in use when
    its user changes the password)."""
    which = StaffSession.user == user.id
    if keep:
        which &= StaffSession.token_hash != _hash(keep)
    _end(which)
