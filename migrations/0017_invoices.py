"""Invoices and credit notes, their rows, and the payments of invoices."""
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

    class Invoice(Model):
        kind = CharField(max_length=12, default='invoice')
        status = CharField(max_length=8, default='draft')
        credits = ForeignKeyField('self', null=True)
        number = CharField(max_length=20, null=True, unique=True)
        year = IntegerField(null=True)
        sequence = IntegerField(null=True)
        reference = CharField(max_length=25, default='')
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        issued_at = DateTimeField(null=True)
        issue_date = DateField(null=True)
        due_date = DateField(null=True)
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        buyer_name = CharField(max_length=200, default='')
        buyer_street = CharField(max_length=200, default='')
        buyer_postal_code = CharField(max_length=10, default='')
        buyer_town = CharField(max_length=100, default='')
        buyer_email = CharField(max_length=254, default='')
        buyer_business_id = CharField(max_length=9, default='')
        buyer_ovt = CharField(max_length=35, default='')
        buyer_operator = CharField(max_length=35, default='')
        language = CharField(max_length=2, default='fi')
        penalty_interest = DecimalField(max_digits=4, decimal_places=1, null=True)
        total_cents = IntegerField(default=0)
        seller = TextField(default='')

        class Meta:
            database = db
            table_name = 'invoice'

    class InvoiceRow(Model):
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
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        booking = ForeignKeyField(Booking, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'invoice_row'

    class InvoicePayment(Model):
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        paid_on = DateField()
        amount_cents = IntegerField()
        method = CharField(max_length=20)
        recorded_at = DateTimeField()
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'invoice_payment'

    db.create_tables([Invoice, InvoiceRow, InvoicePayment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('invoice_payment'), migrator.drop_table('invoice_row'),
                     migrator.drop_table('invoice'))
