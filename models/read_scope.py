"""Values read from the database once per request: within a scope (the web layer opens
one for each GET, which writes nothing), `once(key, read)` reads the value the first
time and gives the same value after; outside a scope (a write, the CLI, the worker) it
reads every time. The business's settings are the example: a back-office page asked
for them two or three times."""

from contextvars import ContextVar

_SCOPE = ContextVar("read_scope", default=None)


def begin():
    """Open a scope; the token closes it (`end`)."""
    return _SCOPE.set({})


def end(token):
    _SCOPE.reset(token)


def is_open():
    return _SCOPE.get() is not None


def once(key, read):
    scope = _SCOPE.get()
    if scope is None:
        return read()
    if key not in scope:
        scope[key] = read()
    return scope[key]
