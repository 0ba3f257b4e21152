"""Staff and owner accounts: passwords, two-factor codes and invitations."""

import hashlib
import secrets
import time
from datetime import timedelta
from functools import cache
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from engines.clock import utc_now
from models import BaseModel, db
from models.business.catalogue import StaffMember
from models.privacy.declaration import STAFF, PersonalData

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
    # The time step of the last two-factor code accepted: it and earlier ones are refused.
    totp_last_step = IntegerField(null=True)
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
                      "totp_secret", "totp_last_step", "created_at", "notify_bookings",
                      "notify_contact_requests"),
    )

    # What Flask-Login asks of a user, without this module importing Flask.
    is_authenticated = True
    is_anonymous = False
    # The id of the session the user is in (models/accounts/sessions.py), which the session
    # cookie holds.
    session_token = None

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return self.session_token

    @property
    def is_owner(self):
        return self.role == OWNER

    def set_password(self, password):
        check_new_password(password, self.email)
        self.password_hash = hasher.hash(password)

    def password_matches(self, password):
        """Whether `password` is this user's; rehashes when the parameters changed.
        Takes the time of one hash check whatever the answer."""
        stored = self.password_hash or _dummy_hash(hasher)
        try:
            hasher.verify(stored, password[:PASSWORD_MAX + 1])
        except (VerificationError, InvalidHashError):
            return False
        if not self.password_hash or len(password) > PASSWORD_MAX:
            return False
        if hasher.check_needs_rehash(self.password_hash):
            User.update(password_hash=hasher.hash(password)).where(
                User.id == self.id).execute()
        return True

    def use_totp_code(self, code):
        """Whether `code` is a current code of this user's app that was not used before;
        it is used up now. Two logins at the same moment cannot both use one code: the
        check of the last step and its new value are one conditional update."""
        step = totp_step(self.totp_secret, code)
        if step is None:
            return False
        used = User.update(totp_last_step=step).where(
            (User.id == self.id) & User.totp_secret.is_null(False)
            & (User.totp_last_step.is_null() | (User.totp_last_step < step))
        ).execute()
        return used == 1

    def turn_on_two_factor(self, secret, code):
        """Keep `secret` as the user's if `code` is a current code of it (the code is
        used up); the new recovery codes, or None when the code is wrong."""
        step = totp_step(secret, code)
        if step is None:
            return None
        with db.atomic():
            User.update(totp_secret=secret, totp_last_step=step).where(
                User.id == self.id).execute()
            self.totp_secret, self.totp_last_step = secret, step
            return self.new_recovery_codes()

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


def totp_step(secret, code):
    """The time step at which `code` is the code of `secret`, allowing one step of
    clock difference either way; None when it is no current code."""
    if not secret:
        return None
    totp = pyotp.TOTP(secret)
    typed = code.replace(" ", "")
    current = totp.timecode(time.time())
    for step in (current - 1, current, current + 1):
        if pyotp.utils.strings_equal(typed, totp.generate_otp(step)):
            return step
    return None


@cache
def _dummy_hash(password_hasher):
    """A hash of no one's password, made once per process with the hasher's own
    parameters: checking against it takes as long as checking a real one."""
    return password_hasher.hash(secrets.token_urlsafe(16))


def authenticate(email, password):
    """The active account with this e-mail and password, or None. Takes the time of one
    hash check either way, so the answer's time does not tell whether an account
    exists."""
    user = User.get_or_none(User.email == email.strip().lower())
    if user is None or not user.active:
        User(password_hash=None).password_matches(password)
        return None
    return user if user.password_matches(password) else None


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


def create_user(email, name, role, staff_member=None):
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return User.create(email=email.strip().lower(), name=name, role=role,
                       staff_member=staff_member)
