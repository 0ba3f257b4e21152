"""What a public page reads of the site's state, in one statement: the calendar's
generation, the business's settings and the visit statistics' settings.

A kept page of free times (web/kept_pages.py) needs all three and nothing else from the
database; read one by one they were three round trips to the database for an answer
that is otherwise a dictionary look-up. Read here, each is put in the request's read
scope (models.read_scope), where current_generation, Business.current and the
statistics settings' current() find it."""

from models import read_scope
from models.analytics import settings as analytics_settings
from models.analytics.settings import AnalyticsSettings
from models.booking import generation
from models.business import Business
from models.written import execute_sql_written, loaded

_SQL = {}


def _fields(model):
    return model._meta.sorted_fields


def _sql():
    """The statement, written once from the models' fields: one row, whichever of the
    three rows is missing."""
    if "state" not in _SQL:
        business = ", ".join(f'b."{field.column_name}"' for field in _fields(Business))
        statistics = ", ".join(f'a."{field.column_name}"'
                               for field in _fields(AnalyticsSettings))
        _SQL["state"] = (
            f'SELECT g."number", g."stamp", {business}, {statistics} FROM (SELECT 1) AS one '
            f'LEFT JOIN "calendar_generation" AS g ON g."id" = {generation.ROW_ID} '
            f'LEFT JOIN (SELECT * FROM "business" ORDER BY "id" LIMIT 1) AS b ON true '
            f'LEFT JOIN "analytics_settings" AS a ON a."id" = 1')
    return _SQL["state"]


def _model(model, values):
    """The model object of `values` (the row's columns of its fields), None when the
    row is missing."""
    return None if values[0] is None else loaded(model, values)


def read_public_state():
    """Within a read scope (a GET), read the three in one statement and keep them in the
    scope; outside one, nothing (each is read when asked for, as a write needs)."""
    if not read_scope.is_open():
        return
    row = execute_sql_written(_sql()).fetchone()
    business_end = 2 + len(_fields(Business))
    number, stamp = row[0], row[1]
    read_scope.once(generation.SCOPE_KEY,
                    lambda: f"{number}-{stamp}" if number is not None and stamp else None)
    business = _model(Business, row[2:business_end])
    read_scope.once(Business.SCOPE_KEY, lambda: business or Business.default())
    statistics = _model(AnalyticsSettings, row[business_end:])
    read_scope.once(analytics_settings.SCOPE_KEY, lambda: statistics or AnalyticsSettings())
