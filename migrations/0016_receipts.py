"""The number series, and the counter's sales with their receipt rows."""
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

    class Booking(Model):
        class Meta:
            database = db
            table_name = 'booking'

    class NumberSeries(Model):
        kind = CharField(max_length=10)
        year = IntegerField()
        last = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'number_series'
            primary_key = CompositeKey('kind', 'year')

    class Sale(Model):
        number = CharField(max_length=20, unique=True)
        year = IntegerField()
        sequence = IntegerField()
        made_at = DateTimeField()
        made_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        buyer_name = CharField(max_length=200, default='')
        method = CharField(max_length=20)
        total_cents = IntegerField()
        seller = TextField()

        class Meta:
            database = db
            table_name = 'sale'

    class SaleRow(Model):
        position = IntegerField(default=0)
        description = CharField(max_length=200)
        service_date = DateField()
        quantity = DecimalField(max_digits=8, decimal_places=2)
        unit_gross_cents = IntegerField()
        vat_category = CharField(max_length=30)
        vat_percent = DecimalField(max_digits=4, decimal_places=1)
        vat_exemption = CharField(max_length=20, default='')
        gross_cents = IntegerField()
        vat_cents = IntegerField()
        net_cents = IntegerField()
        sale = ForeignKeyField(Sale, on_delete='CASCADE')
        booking = ForeignKeyField(Booking, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'sale_row'

    db.create_tables([NumberSeries, Sale, SaleRow])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('sale_row'), migrator.drop_table('sale'),
                     migrator.drop_table('number_series'))
