"""Staff and owner accounts: passwords, two-factor codes and invitations."""

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from . import BaseModel, db, utc_now
from .catalogue import StaffMember
from .privacy import STAFF, PersonalData

STAFF_ROLE = "staff"
OWNER = "owner"
ROLES = (STAFF_ROLE, OWNER)
PASSWORD_MIN = 12
PASSWORD_MAX = 128
INVITATION_VALID = timedelta(hours=48)
RECOVERY_CODES = 10

# argon2id with the library's current defaults (RFC 9106's low-memory profile).
hasher = PasswordHasher()
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")


def _common_passwords():
    return {line.strip().lower() for line in COMMON_PASSWORDS.read_text().splitlines()}


class WeakPassword(ValueError):
    """A password that may not be used; `code` says why."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def check_new_password(password, email=""):
    if len(password) < PASSWORD_MIN:
        raise WeakPassword("too_short")
    if len(password) > PASSWORD_MAX:
        raise WeakPassword("too_long")
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if lowered in _common_passwords() or (len(local_part) > 3 and local_part in lowered):
        raise WeakPassword("common")


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class User(BaseModel):
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=100)
    role = CharField(max_length=10, default=STAFF_ROLE)
    password_hash = CharField(max_length=200, null=True)
    active = BooleanField(default=True)
    staff_member = ForeignKeyField(StaffMember, null=True, backref="accounts",
                                   on_delete="SET NULL")
    totp_secret = CharField(max_length=64, null=True)
    # Raised by "log out everywhere" and by a new password: every older session ends.
    session_version = IntegerField(default=1)
    created_at = DateTimeField(default=utc_now)
    # E-mail about customers' online bookings, cancellations and moves (owners: all;
    # staff: their own calendar), and about new contact requests.
    notify_bookings = BooleanField(default=True)
    notify_contact_requests = BooleanField(default=True)

    class Meta:
        table_name = "account"

    personal_data = PersonalData(
        {"email": STAFF, "name": STAFF},
        not_personal=("id", "role", "password_hash", "active", "staff_member",
                      "totp_secret", "session_version", "created_at", "notify_bookings",
                      "notify_contact_requests"),
    )

    # What Flask-Login asks of a user, without this module importing Flask.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """The id with the session version: a session made before "log out
        everywhere" or a new password names an old version and is refused."""
        return f"{self.id}:{self.session_version}"

    @classmethod
    def for_session(cls, session_id):
        user_id, _, version = (session_id or "").partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        return cls.get_or_none((cls.id == int(user_id)) & (cls.session_version == int(version))
                               & cls.active)

    @property
    def is_owner(self):
        return self.role == OWNER

    def log_out_everywhere(self):
        User.update(session_version=User.session_version + 1).where(
            User.id == self.id).execute()

    def set_password(self, password):
        check_new_password(password, self.email)
        self.password_hash = hasher.hash(password)
        self.session_version += 1

    def password_matches(self, password):
        """Whether `password` is this user's; rehashes when the parameters changed."""
        if not self.password_hash or len(password) > PASSWORD_MAX:
            return False
        try:
            hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if hasher.check_needs_rehash(self.password_hash):
            User.update(password_hash=hasher.hash(password)).where(
                User.id == self.id).execute()
        return True

    def totp_matches(self, code):
        if not self.totp_secret:
            return False
        return pyotp.TOTP(self.totp_secret).verify(code.replace(" ", ""), valid_window=1)

    def new_recovery_codes(self):
        """Replace the recovery codes; return the new ones (shown once)."""
        codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
        RecoveryCode.delete().where(RecoveryCode.user == self).execute()
        RecoveryCode.insert_many(
            [{"user": self.id, "code_hash": _hash_token(code)} for code in codes]
        ).execute()
        return codes

    def use_recovery_code(self, code):
        used = RecoveryCode.update(used_at=utc_now()).where(
            (RecoveryCode.user == self)
            & (RecoveryCode.code_hash == _hash_token(code.strip().lower()))
            & RecoveryCode.used_at.is_null()
        ).execute()
        return used == 1


class RecoveryCode(BaseModel):
    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64)
    used_at = DateTimeField(null=True)

    personal_data = PersonalData({}, not_personal=("id", "user", "code_hash", "used_at"))


class Invitation(BaseModel):
    """A one-time link to set a password, valid for 48 hours."""

    user = ForeignKeyField(User, backref="invitations", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    personal_data = PersonalData(
        {}, not_personal=("id", "user", "token_hash", "expires_at", "used_at")
    )


def invite(user):
    """A new set-password token for `user` (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    Invitation.create(user=user, token_hash=_hash_token(token),
                      expires_at=utc_now() + INVITATION_VALID)
    return token


def invitation_for(token):
    """The invitation of a token if it is still usable, else None."""
    return Invitation.get_or_none(
        (Invitation.token_hash == _hash_token(token))
        & Invitation.used_at.is_null()
        & (Invitation.expires_at > utc_now())
    )


def accept_invitation(invitation, password):
    """Set the password and use up the invitation; False if it was used meanwhile.
    Raises WeakPassword for a password that may not be used."""
    user = invitation.user
    user.set_password(password)
    with db.atomic():
        used = Invitation.update(used_at=utc_now()).where(
            (Invitation.id == invitation.id) & Invitation.used_at.is_null()
        ).execute()
        if used != 1:
            return False
        user.save()
    return True


def create_user(email, name, role, staff_member=None):
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return User.create(email=email.strip().lower(), name=name, role=role,
                       staff_member=staff_member)
