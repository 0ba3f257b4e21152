"""How long each category of personal data is kept: the declaration's default, or the
period the owner chose within the category's limits."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from engines.clock import utc_now
from models import BaseModel
from models.accounts.users import User
from models.people.customers import InvalidValue
from models.privacy.declaration import CATEGORIES, PersonalData


class RetentionPeriod(BaseModel):
    """The owner's period for one category, where it differs from the default."""

    category = CharField(max_length=30, unique=True)
    months = IntegerField()
    updated_at = DateTimeField(default=utc_now)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    personal_data = PersonalData(
        {}, not_personal=("id", "category", "months", "updated_at", "updated_by"))


def months(category):
    """The period of `category` in force, in months."""
    return all_months()[category.key]


def all_months():
    """The period in force of every category, by its key (one query). Data deleted
    together with another category's (messages with their booking, notes with their
    customer) has that category's period."""
    from models.privacy.retention import RULES

    chosen = {row.category: row.months for row in RetentionPeriod.select()}
    in_force = {category.key: chosen.get(category.key, category.retention.months)
                for category in CATEGORIES}
    for rule in RULES:
        for category in rule.with_it:
            in_force[category.key] = in_force[rule.category.key]
    return in_force


def check(category, value):
    """Refuse a period outside the category's limits ("retention_fixed" when the owner
    cannot change it at all, "retention_out_of_range" when outside its limits)."""
    retention = category.retention
    if not retention.changeable:
        raise InvalidValue("retention_fixed")
    if not retention.minimum <= value <= retention.maximum:
        raise InvalidValue("retention_out_of_range")


def choose(category, value, user=None):
    """Set the owner's period for `category` (the default is kept as no row)."""
    check(category, value)
    if value == category.retention.months:
        RetentionPeriod.delete().where(RetentionPeriod.category == category.key).execute()
        return
    (RetentionPeriod.insert(category=category.key, months=value, updated_at=utc_now(),
                            updated_by=user)
     .on_conflict(conflict_target=[RetentionPeriod.category],
                  update={RetentionPeriod.months: value,
                          RetentionPeriod.updated_at: utc_now(),
                          RetentionPeriod.updated_by: user})
     .execute())
