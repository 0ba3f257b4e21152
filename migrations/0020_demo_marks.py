"""What the demo made (for each table it filled, the highest id it gave), so that the
demo can be removed before going live without taking anything that is not the demo's.
A demo added before this migration has no marks, and is not removed by the command
(nothing can tell its rows from those added since)."""
from peewee import *


def up(migrator, db):
    class DemoMark(Model):
        table = CharField(max_length=60, unique=True)
        last_id = BigIntegerField()

        class Meta:
            database = db
            table_name = 'demo_mark'

    db.create_tables([DemoMark])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('demo_mark'))
