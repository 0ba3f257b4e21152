"""The owner's exports that the worker writes in the background, with their progress and
when their file was downloaded (it is deleted then, or a day after it was made)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'account'

    class ExportJob(Model):
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        tables = CharField(max_length=200)
        format = CharField(max_length=10)
        language = CharField(max_length=2, default='fi')
        status = CharField(max_length=10, default='pending')
        rows_total = IntegerField(default=0)
        rows_done = IntegerField(default=0)
        file_name = CharField(max_length=200, default='')
        error = TextField(default='')
        created_at = DateTimeField()
        heartbeat_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)
        downloaded_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'export_job'

    db.create_tables([ExportJob])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('export_job'))
