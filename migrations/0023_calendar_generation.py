"""The calendar's generation: one row that every write which can change the free times
moves on, so that app servers can keep free times computed for a generation."""
import secrets

from peewee import *


def up(migrator, db):
    class CalendarGeneration(Model):
        number = BigIntegerField(default=0)
        stamp = CharField(max_length=16, default='')

        class Meta:
            database = db
            table_name = 'calendar_generation'

    db.create_tables([CalendarGeneration])
    CalendarGeneration.insert(id=1, number=1, stamp=secrets.token_hex(8)).execute()


def down(migrator, db):
    migrator.migrate(migrator.drop_table('calendar_generation'))
