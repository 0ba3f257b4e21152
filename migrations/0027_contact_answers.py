"""The thread of a contact request: each answer staff send by e-mail from the inbox,
by whom and when; deleted with its request."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'account'

    class ContactRequest(Model):
        class Meta:
            database = db
            table_name = 'contact_request'

    class ContactAnswer(Model):
        contact_request = ForeignKeyField(ContactRequest, on_delete='CASCADE')
        answer = TextField()
        sent_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'contact_answer'

    db.create_tables([ContactAnswer])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('contact_answer'))
