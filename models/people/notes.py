"""Notes staff write about a customer, e.g. after meeting them."""

from peewee import BooleanField, DateTimeField, ForeignKeyField, TextField

from engines.clock import utc_now
from models import BaseModel
from models.accounts.users import User
from models.people.customers import Customer
from models.privacy.declaration import NOTE, PersonalData


class CustomerNote(BaseModel):
    customer = ForeignKeyField(Customer, backref="notes", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, backref="notes", on_delete="SET NULL")
    text = TextField()
    # A confidential note is the staff's own working note; others are shown to the
    # customer when they ask to see their data.
    confidential = BooleanField(default=False)
    created_at = DateTimeField(default=utc_now)

    personal_data = PersonalData(
        {"text": NOTE, "customer": NOTE, "created_at": NOTE},
        not_personal=("id", "author", "confidential"),
        # Confidential notes are the staff's own; the customer sees the others.
        withheld_if="confidential",
    )
