"""The outbox: the sender holding a message's claim, and each message's own random
Message-ID. Messages already queued or sent keep the id they had (made from their key),
so that a retry carries the same id and saved copies are still found by it."""
import hashlib

from peewee import *


def up(migrator, db):
    class OutboxMessage(Model):
        key = CharField(max_length=120, unique=True)
        mail_id = CharField(max_length=32, null=True)

        class Meta:
            database = db
            table_name = 'outbox_message'

    migrator.migrate(
        migrator.add_column('outbox_message', 'claimed_by', CharField(max_length=32, null=True)),
        migrator.add_column('outbox_message', 'mail_id', CharField(max_length=32, null=True)),
    )
    for message in OutboxMessage.select(OutboxMessage.id, OutboxMessage.key):
        OutboxMessage.update(mail_id=hashlib.sha256(message.key.encode()).hexdigest()[:32]).where(
            OutboxMessage.id == message.id).execute()
    migrator.migrate(
        migrator.add_not_null('outbox_message', 'mail_id'),
        migrator.add_index('outbox_message', ('mail_id',), True),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('outbox_message', 'outbox_message_mail_id'),
        migrator.drop_column('outbox_message', 'mail_id'),
        migrator.drop_column('outbox_message', 'claimed_by'),
    )
