"""Back-office sessions kept in the database (one row per login) in place of the
account's session version; the last two-factor time step each account used; the counts
of the throttling, shared by every app server process."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'account'

    class StaffSession(Model):
        token_hash = CharField(max_length=64, unique=True)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        ended_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'staff_session'

    class RateLimitEntry(Model):
        key_hash = CharField(max_length=64)
        expires_at = DoubleField(index=True)

        class Meta:
            database = db
            table_name = 'rate_limit_entry'
            indexes = ((('key_hash', 'expires_at'), False),)

    db.create_tables([StaffSession, RateLimitEntry])
    migrator.migrate(
        migrator.drop_column('account', 'session_version'),
        migrator.add_column('account', 'totp_last_step', IntegerField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.add_column('account', 'session_version', IntegerField(default=1)),
        migrator.drop_column('account', 'totp_last_step'),
        migrator.drop_table('rate_limit_entry'),
        migrator.drop_table('staff_session'),
    )
