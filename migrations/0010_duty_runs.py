"""When each of the worker's periodic duties last ran (the back office shows the last and
the next retention purge)."""
from peewee import *


def up(migrator, db):
    class DutyRun(Model):
        name = CharField(max_length=40, unique=True)
        last_run_at = DateTimeField()
        last_result = TextField(default='')

        class Meta:
            database = db
            table_name = 'duty_run'

    db.create_tables([DutyRun])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('duty_run'))
