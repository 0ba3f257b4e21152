"""Backups: the record of each backup the worker or the command made, and the list of
erasures (ids, a keyed hash of the e-mail address and dates, no personal data), which a
restore replays so that a person erased after a backup does not come back with it."""
from peewee import *


def up(migrator, db):
    class BackupRun(Model):
        made_at = DateTimeField(index=True)
        file_name = CharField(max_length=200, default='')
        size = BigIntegerField(default=0)
        checked = BooleanField(default=False)
        seconds = FloatField(default=0)
        problem = TextField(default='')

        class Meta:
            database = db
            table_name = 'backup_run'

    class ErasedPerson(Model):
        customer_id = IntegerField(index=True)
        customer_created_at = DateTimeField(null=True)
        email_hash = CharField(max_length=64, default='')
        data_request_id = IntegerField(null=True)
        erased_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = 'erased_person'

    class ErasureListKey(Model):
        key = CharField(max_length=64)

        class Meta:
            database = db
            table_name = 'erasure_list_key'

    db.create_tables([BackupRun, ErasedPerson, ErasureListKey])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_table('erasure_list_key'),
        migrator.drop_table('erased_person'),
        migrator.drop_table('backup_run'),
    )
