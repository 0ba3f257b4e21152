"""The files a queued message carries (an invoice's PDF), kept with it until it is sent."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('outbox_message', 'attachments', TextField(default='[]')),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column('outbox_message', 'attachments'))
