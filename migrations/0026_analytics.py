"""The site's own visit statistics: a per-day counter table for each dimension, the
booking funnel, the day's totals, the consented script's raw rows and the daily salts,
and the owner's settings."""
from peewee import *

DIMENSIONS = ('page', 'referrer', 'campaign', 'channel', 'browser', 'system',
              'device_class', 'device_model', 'language', 'screen', 'entry', 'exit',
              'flow')


def _dimension(db, name):
    # Named as the model is: peewee names an index after its model's class.
    meta = type('Meta', (), {'database': db, 'table_name': f'analytics_{name}',
                             'indexes': ((('day', 'value'), True),)})
    return type(name.title().replace('_', '') + 'Count', (Model,), {
        'day': DateField(), 'value': CharField(max_length=200),
        'count': BigIntegerField(default=0), 'Meta': meta, '__module__': __name__})


def up(migrator, db):
    class FunnelCount(Model):
        day = DateField()
        step = CharField(max_length=12)
        channel = CharField(max_length=20, default='')
        campaign = CharField(max_length=200, default='')
        count = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = 'analytics_funnel'
            indexes = ((('day', 'step', 'channel', 'campaign'), True),)

    class DayTotals(Model):
        day = DateField(unique=True)
        visitors = IntegerField(default=0)
        visits = IntegerField(default=0)
        views = IntegerField(default=0)
        bounces = IntegerField(default=0)
        engaged_visits = IntegerField(default=0)
        duration_seconds = BigIntegerField(default=0)
        engaged_seconds = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = 'analytics_day'

    class Salt(Model):
        day = DateField(unique=True)
        salt = CharField(max_length=64)

        class Meta:
            database = db
            table_name = 'analytics_salt'

    class Hit(Model):
        visitor = CharField(max_length=64)
        at = DateTimeField()
        kind = CharField(max_length=5)
        path = CharField(max_length=200)
        screen = CharField(max_length=8, default='')
        engaged_ms = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'analytics_hit'
            indexes = ((('at',), False),)

    class AnalyticsSettings(Model):
        keep_months = IntegerField(default=25)
        staff_may_see = BooleanField(default=False)
        ask_consent = BooleanField(default=False)

        class Meta:
            database = db
            table_name = 'analytics_settings'

    db.create_tables([_dimension(db, name) for name in DIMENSIONS]
                     + [FunnelCount, DayTotals, Salt, Hit, AnalyticsSettings])


def down(migrator, db):
    for table in ['analytics_settings', 'analytics_hit', 'analytics_salt', 'analytics_day',
                  'analytics_funnel'] + [f'analytics_{name}' for name in DIMENSIONS]:
        migrator.migrate(migrator.drop_table(table))
