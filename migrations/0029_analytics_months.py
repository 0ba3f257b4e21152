"""The per-month counts of the site's statistics: a table for each dimension holding a
whole month's counts summed, and the months rolled up so far, so that the dashboard
reads a year from twelve months of rows."""
from peewee import *

DIMENSIONS = ('page', 'referrer', 'campaign', 'channel', 'browser', 'system',
              'device_class', 'device_model', 'language', 'screen', 'entry', 'exit',
              'flow')


def _dimension(db, name):
    # Named as the model is: peewee names an index after its model's class.
    meta = type('Meta', (), {'database': db, 'table_name': f'analytics_{name}_month',
                             'indexes': ((('month', 'value'), True),)})
    return type(name.title().replace('_', '') + 'MonthCount', (Model,), {
        'month': DateField(), 'value': CharField(max_length=200),
        'count': BigIntegerField(default=0), 'Meta': meta, '__module__': __name__})


def up(migrator, db):
    class MonthRolled(Model):
        month = DateField(unique=True)

        class Meta:
            database = db
            table_name = 'analytics_month_rolled'

    db.create_tables([_dimension(db, name) for name in DIMENSIONS] + [MonthRolled])


def down(migrator, db):
    for table in ['analytics_month_rolled'] + [f'analytics_{name}_month'
                                               for name in DIMENSIONS]:
        migrator.migrate(migrator.drop_table(table))
