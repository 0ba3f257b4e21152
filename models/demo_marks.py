"""What the demo made: for each table it filled, the highest id it gave. A row above its
table's mark, or in a table the demo never filled, was added later by someone, so
`demo --remove` knows the demo's own data from data that is not the demo's."""

from peewee import BigIntegerField, CharField, fn

from models import BaseModel
from models.privacy.declaration import PersonalData


class DemoMark(BaseModel):
    table = CharField(max_length=60, unique=True)
    last_id = BigIntegerField()

    personal_data = PersonalData({}, not_personal=("id", "table", "last_id"))


def record(tables):
    """Mark the rows of `tables` (models) as the demo's: called as the demo is added."""
    for model in tables:
        last = model.select(fn.MAX(model.id)).scalar() or 0
        DemoMark.create(table=model._meta.table_name, last_id=last)


def marks():
    """{table name: the highest id the demo gave}; empty when the demo was never added."""
    return {mark.table: mark.last_id for mark in DemoMark.select()}
