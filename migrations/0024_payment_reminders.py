"""Payment reminders of overdue invoices, and the language of each receipt."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'account'

    class Invoice(Model):
        class Meta:
            database = db
            table_name = 'invoice'

    class PaymentReminder(Model):
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        position = IntegerField()
        sent_on = DateField()
        due_date = DateField()
        fee_cents = IntegerField(default=0)
        open_before_cents = IntegerField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'payment_reminder'
            indexes = ((('invoice', 'position'), True),)

    db.create_tables([PaymentReminder])
    migrator.migrate(
        migrator.add_column('sale', 'language', CharField(max_length=2, default='fi')),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column('sale', 'language'),
                     migrator.drop_table('payment_reminder'))
