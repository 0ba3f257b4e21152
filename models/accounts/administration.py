"""The owner's handling of back-office accounts: invite, invite again, disable, enable."""

from peewee import JOIN, IntegrityError

from engines.clock import utc_now
from models import db
from models.accounts import sessions
from models.accounts.users import Invitation, User, create_user, invite
from models.business.catalogue import StaffMember


class AccountRefused(ValueError):
    """A change to an account the rules refuse; `code` says which rule."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def accounts():
    """Every account with its linked staff member, by name."""
    return (User.select(User, StaffMember)
            .join(StaffMember, JOIN.LEFT_OUTER)
            .order_by(User.name, User.id))


def invite_new_user(email, name, role, staff_member=None):
    """An account without a password, and the token of its one-time link to set one.
    Raises AccountRefused("email_taken") for an e-mail that has an account."""
    if User.select().where(User.email == email.strip().lower()).exists():
        raise AccountRefused("email_taken")
    try:
        with db.atomic():
            user = create_user(email, name, role, staff_member=staff_member)
            return user, invite(user)
    except IntegrityError as error:  # the same e-mail added at the same moment
        raise AccountRefused("email_taken") from error


def invite_again(user):
    """A new one-time link for a user who has forgotten the password; the earlier
    links stop working."""
    if not user.active:
        raise AccountRefused("inactive")
    with db.atomic():
        Invitation.update(expires_at=utc_now()).where(
            (Invitation.user == user) & Invitation.used_at.is_null()
            & (Invitation.expires_at > utc_now())
        ).execute()
        return invite(user)


def disable(user, by):
    """Stop `user` from logging in and end every session they have."""
    if user.id == by.id:
        raise AccountRefused("self")
    with db.atomic():
        User.update(active=False).where(User.id == user.id).execute()
        sessions.end_all(user)


def enable(user):
    User.update(active=True).where(User.id == user.id).execute()
