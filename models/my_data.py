"""The links that let a person see the data held about them ("my data").

A person asks with their e-mail address; if the register knows it, a link is e-mailed.
The link works once, for 30 minutes; only its hash is stored. Opening it gives a view
key (also stored as a hash) that shows the person's data for 30 minutes.
"""

from datetime import timedelta

from peewee import CharField, DateTimeField, ForeignKeyField

from . import BaseModel, utc_now
from .customers import Customer
from .privacy import AUDIT, PersonalData

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
