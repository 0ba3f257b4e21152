"""The customer register: sorted by name, and each customer's last visit looked up
from an index alone."""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('customer', ('name',), False),
        migrator.add_index('booking', ('customer_id', 'starts_at', 'status'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('booking', 'booking_customer_id_starts_at_status'),
        migrator.drop_index('customer', 'customer_name'),
    )
