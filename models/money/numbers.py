"""Number series: one per kind and year, each number given once, none skipped.

A number is taken inside the transaction that writes what carries it: if that
transaction fails, the number is not taken either, so the series has no gap. The year's
counter row is updated in place, which on PostgreSQL holds its row lock until the
transaction ends (the next issuer waits for it); on SQLite the write transaction
(`write_transaction`, BEGIN IMMEDIATE) already lets one writer in at a time."""

from peewee import CharField, CompositeKey, IntegerField

from models import BaseModel, is_sqlite
from models.privacy.declaration import PersonalData

INVOICES = "invoice"
RECEIPTS = "receipt"


class NumberSeries(BaseModel):
    kind = CharField(max_length=10)
    year = IntegerField()
    last = IntegerField(default=0)

    personal_data = PersonalData({}, not_personal=("kind", "year", "last"))

    class Meta:
        primary_key = CompositeKey("kind", "year")


def take_number(kind, year):
    """The next number of the series (1 for the first), inside the caller's write
    transaction."""
    this = (NumberSeries.kind == kind) & (NumberSeries.year == year)
    bump = NumberSeries.update(last=NumberSeries.last + 1).where(this)
    if not bump.execute():
        insert = NumberSeries.insert(kind=kind, year=year, last=0)
        if is_sqlite():
            insert.on_conflict_ignore().execute()
        else:
            insert.on_conflict(conflict_target=[NumberSeries.kind, NumberSeries.year],
                               action="NOTHING").execute()
        bump.execute()
    return NumberSeries.select(NumberSeries.last).where(this).scalar()
