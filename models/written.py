"""Statements whose SQL peewee writes once per database and shape, not on every call.

Writing the SQL of a query takes peewee some 30 times longer than the database takes
to answer a small one, and a booking runs several inside its transaction, where every
other writer waits for it."""

from peewee import AutoField

from models import db, is_sqlite

_WRITTEN_SQL = {}


def _written(shape, build, params):
    """The SQL of `build()` for `shape` and the parameters to run it with: `params`,
    unless peewee's are not those (a query this code does not know), and then the SQL
    is not kept."""
    key = (type(db.obj), shape)
    sql = _WRITTEN_SQL.get(key)
    if sql is None:
        sql, written = build().sql()
        if list(written) == params:
            _WRITTEN_SQL[key] = sql
        else:
            params = written
    return sql, params


def execute_sql_written(sql, params=()):
    """Run SQL written once (the same text every time); the cursor. On PostgreSQL the
    statement is prepared on its connection, so PostgreSQL plans it once
    (models.PostgresPool.execute_prepared); peewee's other queries are not prepared."""
    if is_sqlite():
        return db.execute_sql(sql, params)
    return db.execute_prepared(sql, params)


def execute_written(shape, build, params):
    """Run the statement `build()` makes, with `params` in the order peewee puts them;
    the cursor."""
    return execute_sql_written(*_written(shape, build, params))


def run_written(shape, build, params, columns=None):
    """The rows (tuples) of the query `build()` makes, with `params` in the order peewee
    puts them; with `columns`, each column read as the field given for it reads it
    (None: as the driver gives it)."""
    rows = execute_written(shape, build, params).fetchall()
    if columns is None:
        return rows
    readers = [column.python_value if column is not None else None for column in columns]
    return [tuple(value if read is None or value is None else read(value)
                  for read, value in zip(readers, row, strict=True))
            for row in rows]


def loaded(model, row):
    """The object of `model` a row of all its columns (in field order) makes, as peewee
    makes one of a row it selects: nothing marked changed."""
    made = model(**{field.name: None if value is None else field.python_value(value)
                    for field, value in zip(model._meta.sorted_fields, row, strict=True)})
    made._dirty.clear()
    return made


def get_written(model, shape, build, params):
    """The first object of `model` the query `build()` selects (`model.select()`, every
    column), or None; its SQL written once."""
    row = execute_written(shape, build, params).fetchone()
    return None if row is None else loaded(model, row)


def _default(field):
    """The field's default as peewee's insert takes it (a callable called once)."""
    return field.default() if callable(field.default) else field.default


def with_defaults(model, row):
    """`row` and the default of each field of `model` it leaves out that has one, as
    peewee's insert adds them."""
    defaults = {field.name: _default(field) for field in model._meta.sorted_fields
                if field.name not in row and field.default is not None}
    return {**defaults, **row}


def insert_params(model, row):
    """The parameters of `model.insert(row)` (a row `with_defaults`) in the order peewee
    puts them: by the model's field order, as each field writes them."""
    return [field.db_value(row[field.name]) for field in model._meta.sorted_fields
            if field.name in row]


def create_written(model, **values):
    """`model.create(**values)`: one row inserted, every field not in `values` taking its
    default, and the object made of what was written."""
    fields = [field for field in model._meta.sorted_fields
              if not isinstance(field, AutoField)]
    row = {field.name: values[field.name] if field.name in values else _default(field)
           for field in fields}
    sql, params = _written(("insert", model), lambda: model.insert(row),
                           insert_params(model, row))
    cursor = execute_sql_written(sql, params)
    made = model(**row)
    made.id = cursor.lastrowid if is_sqlite() else cursor.fetchone()[0]
    made._dirty.clear()
    return made
