"""How long the free times of a day and of a week take with a busy calendar.

Run from the repository root:
  .venv/bin/python benchmarks/free_times.py [--database sqlite|postgres|both|none]

Synthetic data, the same on every run (fixed seed): staff working Monday to Friday
08.00-18.00 with a lunch break 12.00-12.30, one whole day off each, and bookings of
30-90 minutes (buffers 0-15 minutes) packed one after another on the 15-minute grid,
with a gap of 15-60 minutes now and then, so that about 60 % of working time is booked
(the figure printed is the share reached). Both scenarios have the same density. The
busy lists are shuffled, as the function must accept them in any order. The baseline is
one pass over every busy span to pick out those of the day (or week) asked for: the
least any computation on unsorted input has to do.

With the database (`--database sqlite|postgres|both`, the default both; `none` for the
engine alone): the same calendars written into a real SQLite file and a real PostgreSQL
database (`--postgres-url`, emptied first), and the free times asked as the booking page
asks them, in a read scope as a request is: the site's state read in one statement (the
calendar's generation and the business's settings with its booking rules,
models/public_state.py), the service, the engine's inputs loaded by the models code
(models/booking/schedule.py: who offers the service, two queries of plain tuples for
hours, breaks, closed days, time off and bookings), then the engine. "cold": the
generation has changed, so every call loads its
inputs from the database; "warm": the inputs kept for the generation (a request that
comes after another of the same calendar). Goals (issue 13), the week's p95 cold:
10 staff x 8 weeks < 3 ms, 50 staff x 12 weeks < 20 ms.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engines.free_times import (
    HELSINKI,
    BookingRules,
    Span,
    StaffWeek,
    free_times,
    free_times_between,
)

SEED = 20260907
FIRST_MONDAY = date(2026, 9, 7)  # the weeks run across the October DST change
WORKDAYS = range(5)
OPENS, CLOSES = 8 * 60, 18 * 60  # minutes after midnight
LUNCH = (12 * 60, 12 * 60 + 30)
BOOKING_CHANCE = 0.63  # at each free point a booking rather than a gap: ~60 % booked
GAPS = (15, 30, 45, 60)
LENGTHS = (30, 45, 60, 75, 90)
BUFFERS = (0, 10, 15)
GRID = 15

SERVICE = timedelta(minutes=60)
SERVICE_BUFFER = timedelta(minutes=15)
RULES = BookingRules(slot_step=timedelta(minutes=GRID), horizon_days=120)
NOW = datetime.combine(FIRST_MONDAY - timedelta(days=1), time(12), HELSINKI)

SCENARIOS = (
    # name, staff, weeks, repetitions of a day, repetitions of a week
    ("A", 10, 8, 400, 200),
    ("B", 50, 12, 200, 100),
)
# p95 in ms of the cold path including the database, by scenario (issue 13)
DATABASE_GOALS = {"A": 3.0, "B": 20.0}


def wall(day, minute):
    return datetime.combine(day, time(minute // 60, minute % 60), HELSINKI)


def book_day(rng, day):
    """One working day's bookings, packed one after another with a gap now and then:
    (busy spans, minutes booked)."""
    blocked, booked = [], 0  # blocked: (start, end of buffer), minutes after midnight
    for stretch_start, stretch_end in ((OPENS, LUNCH[0]), (LUNCH[1], CLOSES)):
        cursor = stretch_start
        while cursor < stretch_end:
            if rng.random() >= BOOKING_CHANCE:
                cursor += rng.choice(GAPS)
                continue
            length, buffer = rng.choice(LENGTHS), rng.choice(BUFFERS)
            if cursor + length > stretch_end:
                break
            blocked.append((cursor, cursor + length + buffer))
            booked += length
            cursor += -(-(length + buffer) // GRID) * GRID  # the next start on the grid
    spans = [
        Span(wall(day, start).astimezone(UTC), wall(day, end).astimezone(UTC))
        for start, end in blocked
    ]
    return spans, booked


def make_staff(rng, count, weeks):
    """`count` staff members' weeks and the share of working time booked."""
    days = [FIRST_MONDAY + timedelta(days=offset) for offset in range(7 * weeks)]
    workdays = [day for day in days if day.weekday() in WORKDAYS]
    hours = {weekday: [(time(OPENS // 60), time(CLOSES // 60))] for weekday in WORKDAYS}
    lunch = [(time(LUNCH[0] // 60, LUNCH[0] % 60), time(LUNCH[1] // 60, LUNCH[1] % 60))]
    staff, booked = [], 0
    for staff_id in range(1, count + 1):
        busy = []
        for day in workdays:
            spans, minutes = book_day(rng, day)
            busy.extend(spans)
            booked += minutes
        rng.shuffle(busy)
        day_off = rng.choice(workdays)
        time_off = [Span(wall(day_off, 0), wall(day_off + timedelta(days=1), 0))]
        staff.append(
            StaffWeek(staff_id, hours, dict.fromkeys(WORKDAYS, lunch), time_off, busy)
        )
    working = (CLOSES - OPENS - (LUNCH[1] - LUNCH[0])) * len(workdays) * count
    return staff, booked / working


def busy_within(staff, first, last):
    """The baseline: one pass over every busy span, keeping those of first..last."""
    start = wall(first, 0).astimezone(UTC)
    end = wall(last + timedelta(days=1), 0).astimezone(UTC)
    return [
        span
        for member in staff
        for span in member.busy
        if span.start < end and span.end > start
    ]


def timings(repetitions, call, arguments):
    """Milliseconds of `call` on each of `arguments` in turn, `repetitions` times."""
    call(arguments[0])  # warm up
    samples = []
    for repetition in range(repetitions):
        argument = arguments[repetition % len(arguments)]
        started = clock.perf_counter()
        call(argument)
        samples.append((clock.perf_counter() - started) * 1000)
    return samples


def median_and_p95(samples):
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def measure(name, staff_count, weeks, day_repetitions, week_repetitions, databases=(),
            postgres_url=None):
    rng = random.Random(f"{SEED}-{name}")
    staff, density = make_staff(rng, staff_count, weeks)
    spans = sum(len(member.busy) for member in staff)
    mondays = [FIRST_MONDAY + timedelta(weeks=week) for week in range(weeks)]
    workdays = [
        monday + timedelta(days=offset) for monday in mondays for offset in WORKDAYS
    ]
    rng.shuffle(workdays)
    offered = sum(
        len(free_times(day, staff, SERVICE, SERVICE_BUFFER, RULES, NOW))
        for day in workdays
    )
    print(
        f"\nScenario {name}: {staff_count} staff x {weeks} weeks, {spans} busy spans, "
        f"{density:.1%} of working time booked, "
        f"{offered / len(workdays):.1f} free start times per working day"
    )
    rows = (
        (
            "one day   (free_times)",
            day_repetitions,
            workdays,
            lambda day: free_times(day, staff, SERVICE, SERVICE_BUFFER, RULES, NOW),
            lambda day: busy_within(staff, day, day),
        ),
        (
            "one week  (free_times_between Mon-Sun)",
            week_repetitions,
            mondays,
            lambda monday: free_times_between(
                monday,
                monday + timedelta(days=6),
                staff,
                SERVICE,
                SERVICE_BUFFER,
                RULES,
                NOW,
            ),
            lambda monday: busy_within(staff, monday, monday + timedelta(days=6)),
        ),
    )
    print(
        f"  {'what':<40}{'reps':>6}{'median ms':>11}{'p95 ms':>9}"
        f"{'baseline median ms':>20}{'ratio to baseline':>19}"
    )
    engine = {}  # the engine's own median, by "day" and "week"
    for label, repetitions, arguments, call, baseline in rows:
        median, p95 = median_and_p95(timings(repetitions, call, arguments))
        engine[label.split()[1]] = median
        baseline_median, _ = median_and_p95(timings(repetitions, baseline, arguments))
        print(
            f"  {label:<40}{repetitions:>6}{median:>11.2f}{p95:>9.2f}"
            f"{baseline_median:>20.3f}{median / baseline_median:>19.1f}"
        )
    for database in databases:
        with_database(name, database, postgres_url, staff, mondays, workdays,
                      day_repetitions, week_repetitions, engine)


# The path including the database -----------------------------------------------------

def database_url(database, postgres_url, workdir):
    if database == "sqlite":
        return f"sqlite:///{workdir}/free_times.db"
    from booking_load import postgres_database

    return postgres_database(postgres_url)


def write_calendar(url, staff):
    """The staff weeks of `staff` as rows of a real database at `url`: one service of
    SERVICE + SERVICE_BUFFER everyone offers, their hours, breaks, days off and
    bookings (one customer's: who books does not matter to free times); the service."""
    import models
    from engines.clock import naive_utc
    from models import schema
    from models.booking.bookings import Booking, new_reference
    from models.booking.generation import calendar_changed
    from models.business import Business
    from models.business.catalogue import (
        Break,
        Service,
        StaffMember,
        StaffService,
        TimeOff,
        WorkingHours,
    )
    from models.people.customers import Customer

    models.open_database(url)
    schema.migrate()
    with models.db.connection_context(), models.db.atomic():
        Business.create(name="Vertailu Oy", horizon_days=RULES.horizon_days,
                        slot_step_minutes=RULES.slot_step // timedelta(minutes=1),
                        min_notice_minutes=RULES.min_notice // timedelta(minutes=1))
        service = Service.create(name_fi="Hieronta", duration_minutes=SERVICE // timedelta(
            minutes=1), buffer_minutes=SERVICE_BUFFER // timedelta(minutes=1),
            price_cents=6500)
        customer = Customer.create(name="Vertailu Asiakas", email="vertailu@esimerkki.example")
        rows = []
        for member in staff:
            person = StaffMember.create(name=f"Hieroja {member.staff_id:02d}")
            StaffService.create(staff=person, service=service)
            for model, table in ((WorkingHours, member.hours), (Break, member.breaks)):
                model.insert_many(
                    {"staff": person.id, "weekday": weekday, "start": start, "end": end}
                    for weekday, ranges in table.items() for start, end in ranges
                ).execute()
            for span in member.time_off:
                TimeOff.create(staff=person, starts_at=naive_utc(span.start),
                               ends_at=naive_utc(span.end), reason="vapaa")
            rows += [{
                "reference": new_reference(), "customer": customer.id, "service": service.id,
                "staff": person.id, "starts_at": naive_utc(span.start),
                "ends_at": naive_utc(span.end), "blocked_until": naive_utc(span.end),
                "source": "staff", "price_cents": service.price_cents,
            } for span in member.busy]
        for batch in range(0, len(rows), 1000):
            Booking.insert_many(rows[batch:batch + 1000]).execute()
        calendar_changed()
        service_id = service.id
    if url.startswith("postgres"):
        with models.db.connection_context():
            models.db.execute_sql("ANALYZE")
    return service_id


def with_database(name, database, postgres_url, staff, mondays, workdays,
                  day_repetitions, week_repetitions, engine):
    """The free times of a day and of a week as the booking page asks for them, cold
    and warm, from a real database holding `staff`'s calendar; each median also as a
    ratio to the engine's alone (`engine`, measured just before in the same run)."""
    import tempfile

    import models
    from models import read_scope
    from models.booking import schedule
    from models.booking.generation import current_generation
    from models.business.catalogue import Service
    from models.public_state import read_public_state

    def as_a_page(ask):
        """`ask(service, generation)` as a booking page's request: in a read scope, the
        site's state read in one statement, the service, then the free times."""
        scope = read_scope.begin()
        try:
            read_public_state()
            return ask(Service.active_one(service_id), current_generation())
        finally:
            read_scope.end(scope)

    with tempfile.TemporaryDirectory(prefix="vuoro-free-times-") as workdir:
        url = database_url(database, postgres_url, workdir)
        began = clock.perf_counter()
        service_id = write_calendar(url, staff)
        written = clock.perf_counter() - began

        def one_day(day, forget):
            if forget:  # the generation has moved on: nothing kept is of use
                schedule.INPUTS.clear()
            return as_a_page(lambda service, generation: schedule.free_times(
                day, now=NOW, **schedule._inputs(service, None, day, day,
                                                 generation=generation)))

        def one_week(monday, forget):
            if forget:
                schedule.INPUTS.clear()
            return as_a_page(lambda service, generation: schedule.week_of_times(
                service, None, monday, NOW, generation=generation))

        with models.db.connection_context():
            checked = [len(one_day(day, True)) for day in workdays]
            expected = [len(free_times(day, staff, SERVICE, SERVICE_BUFFER, RULES, NOW))
                        for day in workdays]
            if checked != expected:
                raise RuntimeError(f"{database}: the free times from the database are "
                                   "not those of the same calendar in memory")
            print(f"  with {database}: the calendar written in {written:.1f} s; the same "
                  "free times as in memory on every working day")
            print(f"  {'what':<40}{'reps':>6}{'median ms':>11}{'p95 ms':>9}"
                  f"{'x engine alone':>16}{'goal p95':>10}")
            goal = DATABASE_GOALS[name]
            for label, repetitions, arguments, call in (
                ("one day,  cold (loaded from the DB)", day_repetitions, workdays,
                 lambda day: one_day(day, True)),
                ("one day,  warm (inputs kept)", day_repetitions, workdays,
                 lambda day: one_day(day, False)),
                ("one week, cold (loaded from the DB)", week_repetitions, mondays,
                 lambda monday: one_week(monday, True)),
                ("one week, warm (inputs kept)", week_repetitions, mondays,
                 lambda monday: one_week(monday, False)),
            ):
                median, p95 = median_and_p95(timings(repetitions, call, arguments))
                verdict = ("PASS" if p95 < goal else "MISS") if "cold" in label else ""
                ratio = median / engine["day" if "day" in label else "week"]
                print(f"  {label:<40}{repetitions:>6}{median:>11.2f}{p95:>9.2f}"
                      f"{ratio:>16.1f}{f'< {goal:g} ms':>10} {verdict}")
        schedule.INPUTS.clear()
        models.db.close_all()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both", "none"),
                        default="both")
    parser.add_argument("--postgres-url",
                        default="postgresql://postgres@127.0.0.1:5432/vuoro_free_times")
    args = parser.parse_args()
    databases = {"both": ("sqlite", "postgres"), "none": ()}.get(args.database,
                                                                 (args.database,))
    started = clock.perf_counter()
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) "
        f"on {platform.system()} {platform.machine()}, {os.cpu_count()} cores"
    )
    print(
        f"Service {SERVICE.seconds // 60} min + {SERVICE_BUFFER.seconds // 60} min "
        f"buffer, {GRID}-minute step; every call covers all staff. Times are medians: "
        "machines are noisy."
    )
    print(
        "Baseline: one pass over every busy span picking those of the day or week asked "
        "for (the least any computation on unsorted input has to do)."
    )
    print(f"Load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on "
          "the machine moves the figures)")
    for scenario in SCENARIOS:
        measure(*scenario, databases=databases, postgres_url=args.postgres_url)
    print(f"\nTotal run time {clock.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
