"""The business's clock: its zone, the time now, local time and today. Pure (the
standard library only), so the engines, the models, the web layer and the worker all
read the one clock.

The database holds naive UTC; the business lives in Helsinki time. Everything that asks
for the time asks this module, so a test moves one clock (`CLOCK.shift(...)`,
`CLOCK.freeze(...)`) and every page, rule and duty in the process sees the same moment.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


class Clock:
    """The real time, moved on by `shift` or held at one moment by `freeze`."""

    def __init__(self):
        self.reset()

    def now(self):
        return (self.frozen or datetime.now(UTC)) + self.offset

    def shift(self, **amount):
        """Move the clock on (or back) by a `timedelta(**amount)`."""
        self.offset += timedelta(**amount)

    def freeze(self, moment):
        """Hold the clock at an aware `moment`."""
        self.frozen = moment.astimezone(UTC)
        self.offset = timedelta(0)

    def reset(self):
        self.frozen = None
        self.offset = timedelta(0)


CLOCK = Clock()


def now():
    """The current time, aware and in UTC."""
    return CLOCK.now()


def utc_now():
    """The current time as a naive UTC datetime, the form every DateTimeField holds."""
    return now().replace(tzinfo=None)


def naive_utc(moment):
    """An aware datetime in the naive UTC form the database holds."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def local(moment):
    """A stored (naive UTC) or aware datetime in Helsinki time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI)


def today():
    """Today's date in Helsinki."""
    return local(now()).date()
