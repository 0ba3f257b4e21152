"""Contact requests: what people send through the contact form, and staff's handling
of each (answered, closed, the customer it belongs to)."""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = 'customer'

    class User(Model):
        class Meta:
            database = db
            table_name = 'account'

    class ContactRequest(Model):
        name = CharField(max_length=100)
        email = CharField(max_length=254, default='')
        phone = CharField(max_length=20, default='')
        subject = CharField(max_length=10, default='other')
        message = TextField()
        preferred_reply = CharField(max_length=5, default='email')
        language = CharField(max_length=2, default='fi')
        status = CharField(max_length=10, default='new')
        reply_note = TextField(default='')
        answered_at = DateTimeField(null=True)
        answered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        closed_at = DateTimeField(null=True)
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        submission_key = CharField(unique=True, max_length=64)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'contact_request'
            indexes = ((('status', 'created_at'), False),)

    db.create_tables([ContactRequest])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('contact_request'))
