"""A customer's page looks for other records of the same person (the same name in any
case, or the same phone number) through indexes instead of reading the whole register."""
from peewee import *

INDEXES = {
    "customer_name_lower": "lower(name)",
    "customer_phone": "phone",
}


def up(migrator, db):
    for name, expression in INDEXES.items():
        db.execute_sql(f"CREATE INDEX {name} ON customer ({expression})")


def down(migrator, db):
    for name in INDEXES:
        db.execute_sql(f"DROP INDEX {name}")
