"""The links that let a person see the data held about them ("my data").

A person asks with their e-mail address; if the register knows it, a link is e-mailed.
The link works once, for 30 minutes; only its hash is stored. Opening it gives a view
key (also stored as a hash) that shows the person's data for 30 minutes.
"""

import hashlib
import secrets
from datetime import timedelta

from peewee import CharField, DateTimeField, ForeignKeyField

from engines.clock import naive_utc, utc_now
from models import BaseModel, write_transaction
from models.accounts.users import OWNER, User
from models.messages import outbox
from models.people.customers import Customer
from models.privacy.data_requests import ONLINE, DataRequest, receive
from models.privacy.declaration import AUDIT, PersonalData

LINK_VALID = timedelta(minutes=30)
VIEW_VALID = timedelta(minutes=30)


class AccessLink(BaseModel):
    customer = ForeignKeyField(Customer, backref="access_links", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utc_now)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    # The key of the view the link opened, and until when it shows the data.
    view_hash = CharField(max_length=64, null=True, unique=True)
    view_expires_at = DateTimeField(null=True)

    personal_data = PersonalData(
        {"customer": AUDIT, "created_at": AUDIT, "used_at": AUDIT},
        not_personal=("id", "token_hash", "expires_at", "view_hash", "view_expires_at"),
    )


class LinkProblem(ValueError):
    """Why a link or view key opens nothing: "unknown", "used" or "expired"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


UNKNOWN, USED, EXPIRED = "unknown", "used", "expired"


def secret_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_link(customer, now):
    """A new one-time link for `customer`, valid 30 minutes from `now`: its secret (only
    the hash is stored)."""
    token = secrets.token_urlsafe(32)
    moment = naive_utc(now)
    AccessLink.create(customer=customer, token_hash=secret_hash(token), created_at=moment,
                      expires_at=moment + LINK_VALID)
    return token


def redeem(token, now):
    """Use the link once: a view key, valid 30 minutes, and the link. In one conditional
    write, so that two tabs opening it at once get one view between them. LinkProblem
    when it is unknown, used or expired."""
    moment = naive_utc(now)
    key = secrets.token_urlsafe(32)
    used = AccessLink.update(
        used_at=moment, view_hash=secret_hash(key), view_expires_at=moment + VIEW_VALID,
    ).where(
        (AccessLink.token_hash == secret_hash(token)) & AccessLink.used_at.is_null()
        & (AccessLink.expires_at > moment)
    ).execute()
    link = AccessLink.get_or_none(AccessLink.token_hash == secret_hash(token))
    if used != 1:
        raise LinkProblem(link_problem(link, moment))
    return key, link


def link_problem(link, moment):
    if link is None:
        return UNKNOWN
    if link.used_at is not None:
        return USED
    return EXPIRED if link.expires_at <= moment else None


def link_for(token):
    """The link behind `token` (used or not), or None."""
    return AccessLink.get_or_none(AccessLink.token_hash == secret_hash(token or ""))


def view_for(key, now):
    """The opened link whose view `key` still shows the data; LinkProblem ("unknown" or
    "expired") if none."""
    link = (AccessLink.select(AccessLink, Customer).join(Customer)
            .where(AccessLink.view_hash == secret_hash(key or "")).first())
    if link is None:
        raise LinkProblem(UNKNOWN)
    if link.view_expires_at <= naive_utc(now):
        raise LinkProblem(EXPIRED)
    return link


def send_link(customer, submission_key):
    """Queue the e-mail with a new link for `customer` (the link itself is made when
    the message is written); once per form sent."""
    outbox.add(outbox.MY_DATA_LINK, f"{outbox.MY_DATA_LINK}:{submission_key}",
               customer_id=customer.id)


def make_request(kind, customer, submission_key, *, details="", purpose="", language="fi",
                 log=None):
    """A request from the "my data" page, with the person's confirmation and the owners'
    notices queued, in one transaction. The same form sent again (a double click) gives
    the request it already made: its key names the confirmation, which is unique.
    Returns the request and whether it is new."""
    key = f"{outbox.DATA_REQUEST_RECEIVED}:{submission_key}"
    with write_transaction():
        outbox.add(outbox.DATA_REQUEST_RECEIVED, key, customer_id=customer.id)
        confirmation = outbox.OutboxMessage.get(outbox.OutboxMessage.key == key)
        if confirmation.data_request_id is not None:
            return DataRequest.get_by_id(confirmation.data_request_id), False
        request = receive(kind, customer=customer, name=customer.name,
                          email=customer.email or "", language=language, source=ONLINE,
                          details=details, purpose=purpose)
        outbox.OutboxMessage.update(data_request_id=request.id).where(
            outbox.OutboxMessage.id == confirmation.id).execute()
        for user_id in owners_to_tell():
            outbox.add(outbox.STAFF_NEW_DATA_REQUEST,
                       f"{outbox.STAFF_NEW_DATA_REQUEST}:{request.id}:user{user_id}",
                       data_request_id=request.id, user_id=user_id)
        if log is not None:
            log("request.receive", customer=customer.id,
                details=f"{kind}; data request #{request.id}; online")
    return request, True


def owners_to_tell():
    """Every active owner account: requests about data are the owner's to answer."""
    owners = User.select(User.id).where(User.active & (User.role == OWNER)).order_by(User.id)
    return [owner.id for owner in owners]
