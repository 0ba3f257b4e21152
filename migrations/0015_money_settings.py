"""The owner's money settings, and each service's VAT category."""
from decimal import Decimal

from peewee import *


def up(migrator, db):
    class Service(Model):
        class Meta:
            database = db
            table_name = 'service'

    class MoneySettings(Model):
        iban = CharField(max_length=34, default='')
        bic = CharField(max_length=11, default='')
        due_days = IntegerField(default=14)
        penalty_interest = DecimalField(max_digits=4, decimal_places=1, default=Decimal('9.0'))
        reminder_fee_cents = IntegerField(default=500)
        vat_registered = BooleanField(default=True)
        methods = TextField(default='cash card mobilepay epassi smartum edenred')

        class Meta:
            database = db
            table_name = 'money_settings'

    class ServiceVat(Model):
        service = ForeignKeyField(Service, unique=True, on_delete='CASCADE')
        category = CharField(max_length=30)

        class Meta:
            database = db
            table_name = 'service_vat'

    db.create_tables([MoneySettings, ServiceVat])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('service_vat'), migrator.drop_table('money_settings'))
