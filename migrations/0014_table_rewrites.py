"""The record of the nightly rewrites of the tables erasures touched (PostgreSQL keeps
erased rows in its files until a table is rewritten)."""
from peewee import *


def up(migrator, db):
    class TableRewrite(Model):
        at = DateTimeField()
        erasures = IntegerField()
        tables = TextField()
        bytes_before = BigIntegerField()
        bytes_after = BigIntegerField()

        class Meta:
            database = db
            table_name = 'table_rewrite'

    db.create_tables([TableRewrite])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('table_rewrite'))
