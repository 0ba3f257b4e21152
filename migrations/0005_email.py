"""E-mail: the outbox every message waits in, the reminder setting, and which e-mails
each staff account wants."""
from peewee import *


def up(migrator, db):
    class OutboxMessage(Model):
        key = CharField(unique=True, max_length=120)
        kind = CharField(max_length=30)
        booking_id = IntegerField(index=True, null=True)
        contact_request_id = IntegerField(index=True, null=True)
        user_id = IntegerField(index=True, null=True)
        details = TextField(default='{}')
        created_at = DateTimeField()
        due_at = DateTimeField()
        attempts = IntegerField(default=0)
        claimed_until = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        failed_at = DateTimeField(null=True)
        last_error = TextField(default='')
        sent_to = CharField(max_length=254, default='')
        subject = CharField(max_length=200, default='')

        class Meta:
            database = db
            table_name = 'outbox_message'
            indexes = ((('sent_at', 'failed_at', 'due_at'), False),)

    db.create_tables([OutboxMessage])
    migrator.migrate(
        migrator.add_column('account', 'notify_bookings', BooleanField(default=True)),
        migrator.add_column('account', 'notify_contact_requests', BooleanField(default=True)),
        migrator.add_column('business', 'reminder_hours', IntegerField(default=24)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('business', 'reminder_hours'),
        migrator.drop_column('account', 'notify_contact_requests'),
        migrator.drop_column('account', 'notify_bookings'),
        migrator.drop_table('outbox_message'),
    )
