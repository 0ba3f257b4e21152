"""The breach log: personal-data breaches, their risk and when the authority and the
people affected were told."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'account'

    class Breach(Model):
        what_happened = TextField()
        noticed_at = DateTimeField(index=True)
        happened_at = DateTimeField(null=True)
        data_affected = TextField()
        people_affected = TextField(default='')
        risk = CharField(max_length=4)
        authority_notified_at = DateTimeField(null=True)
        people_notified_at = DateTimeField(null=True)
        actions_taken = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'breach'

    db.create_tables([Breach])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('breach'))
