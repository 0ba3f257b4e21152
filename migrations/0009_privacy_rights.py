"""People's rights over their data: their requests and the links to see their data;
consents; the privacy statement's versions and the processors it names; the owner's
retention periods; the restriction flag, and the statement version a booking was made
under."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'account'

    class Customer(Model):
        class Meta:
            database = db
            table_name = 'customer'

    class RetentionPeriod(Model):
        category = CharField(max_length=30, unique=True)
        months = IntegerField()
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'retention_period'

    class DataRequest(Model):
        kind = CharField(max_length=12)
        status = CharField(max_length=8, default='open')
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        name = CharField(max_length=100, default='')
        email = CharField(max_length=254, default='')
        phone = CharField(max_length=20, default='')
        language = CharField(max_length=2, default='fi')
        source = CharField(max_length=10, default='online')
        identity_check = TextField(default='')
        details = TextField(default='')
        purpose = CharField(max_length=30, default='')
        received_at = DateTimeField(index=True)
        due_at = DateTimeField(index=True)
        extended_months = IntegerField(default=0)
        extension_reason = TextField(default='')
        outcome = TextField(default='')
        closed_at = DateTimeField(null=True)
        closed_by = ForeignKeyField(User, null=True, on_delete='SET NULL',
                                    backref='closed_data_requests')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL',
                                     backref='entered_data_requests')
        anonymised_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'data_request'
            indexes = ((('status', 'due_at'), False),)

    class DataRequestEvent(Model):
        request = ForeignKeyField(DataRequest, on_delete='CASCADE')
        at = DateTimeField()
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        what = CharField(max_length=12)
        note = TextField(default='')

        class Meta:
            database = db
            table_name = 'data_request_event'

    class AccessLink(Model):
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        token_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        view_hash = CharField(max_length=64, null=True, unique=True)
        view_expires_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'access_link'

    class Consent(Model):
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        purpose = CharField(max_length=20, default='marketing')
        given_at = DateTimeField()
        given_via = CharField(max_length=12, default='booking')
        statement_version = IntegerField(null=True)
        withdrawn_at = DateTimeField(null=True)
        withdrawn_via = CharField(max_length=12, default='')
        unsubscribe_hash = CharField(max_length=64, null=True, unique=True)

        class Meta:
            database = db
            table_name = 'consent'
            indexes = ((('customer', 'purpose'), False),)

    class CookieChoice(Model):
        visitor = CharField(max_length=32, index=True)
        choice = CharField(max_length=10)
        banner_version = IntegerField()
        at = DateTimeField()

        class Meta:
            database = db
            table_name = 'cookie_choice'

    class PrivacyStatement(Model):
        version = IntegerField(unique=True)
        published_at = DateTimeField()
        facts_hash = CharField(max_length=64, unique=True)
        facts = TextField()
        body_fi = TextField()
        body_sv = TextField()
        body_en = TextField()

        class Meta:
            database = db
            table_name = 'privacy_statement'

    class Processor(Model):
        name = CharField(max_length=200)
        service = CharField(max_length=12)
        country = CharField(max_length=2)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'processor'

    db.create_tables([RetentionPeriod, DataRequest, DataRequestEvent, AccessLink, Consent,
                      CookieChoice, PrivacyStatement, Processor])
    migrator.migrate(
        migrator.add_column('customer', 'restricted_at', DateTimeField(null=True)),
        migrator.add_column('booking', 'privacy_version', IntegerField(null=True)),
        migrator.add_column('business', 'marketing_enabled', BooleanField(default=False)),
        migrator.add_column('outbox_message', 'customer_id', IntegerField(null=True)),
        migrator.add_column('outbox_message', 'data_request_id', IntegerField(null=True)),
        migrator.add_index('outbox_message', ('customer_id',), False),
        migrator.add_index('outbox_message', ('data_request_id',), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('outbox_message', 'outbox_message_data_request_id'),
        migrator.drop_index('outbox_message', 'outbox_message_customer_id'),
        migrator.drop_column('outbox_message', 'data_request_id'),
        migrator.drop_column('outbox_message', 'customer_id'),
        migrator.drop_column('business', 'marketing_enabled'),
        migrator.drop_column('booking', 'privacy_version'),
        migrator.drop_column('customer', 'restricted_at'),
    )
    for table in ('processor', 'privacy_statement', 'cookie_choice', 'consent',
                  'access_link', 'data_request_event', 'data_request', 'retention_period'):
        migrator.migrate(migrator.drop_table(table))
