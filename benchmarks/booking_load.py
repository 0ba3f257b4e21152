"""The booking pages under load, against the bare route of the same app, in one run.

Run from the repository root:
  .venv/bin/python benchmarks/booking_load.py [--database sqlite|postgres|both]

The load comes from wrk (Debian's package: `sudo apt-get install wrk`; the benchmark
stops with that line when /usr/bin/wrk or a `wrk` on PATH is missing), 16 connections
from 2 threads, against the app in gunicorn as the README runs it (2 workers of 4
threads) on a free loopback port. Every request carries what a browser sends
(Accept-Encoding: gzip, deflate, br, zstd; Accept-Language: fi), so answers are
compressed as a browser gets them. Four scenarios, each `--warmup` s unmeasured and
`--duration` s measured, in turn (a, b, c, d, a, b, ...) `--rounds` times; the medians
are reported, with each scenario's rate as a share of (a)'s in the same round:

  a. GET /health: a constant, no database: the bare route of the stack itself
  b. GET /book/2?staff=any&day=<a busy Tuesday> with HX-Request: true: the day's
     #booking-times fragment HTMX asks for when a customer picks a day
  c. the same without HX-Request: the whole booking page (it holds no form token)
  d. POST /book/2/details: a booking of a free time (303), each body sent once, with a
     form token made with the server's key beforehand and a new customer each time;
     409 (taken) counts as an error, since the times are planned to be free

The calendar (fixed seed): the demo business and eight more staff members, ten in all,
working 9-17 or 10-18 with a half-hour break, all offering the three massages; the eight
weeks from today booked to about 70 % of working time (appointment and buffer; the share
is printed) by 500 customers. The POSTs book the days after those weeks (the horizon is
set to 1500 days for them), a staff member chosen for each, on times worked out with
the free-time engine; the fragment's and the page's day stays as it is throughout.

Besides rate and latency each phase reports the server's CPU per answer (gunicorn's
processes, from /proc), which other load on a shared machine moves less than the rate.
Figures on a machine shared with other work vary between runs: run it twice, quote both.
The server's own output (an access line a request) goes to
<temp dir>/booking_load-<database>-server.log, kept after the run; the path is printed.

Goals (issue 13): fragment >= 50 % of (a)'s rate and p99 < 50 ms; page >= 25 %; the
booking POST p99 < 100 ms; zero errors.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time as timer
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import Server

import models
from engines.clock import HELSINKI, naive_utc
from engines.free_times import BookingRules, StaffWeek, free_times
from models import demo, schema
from models.booking.bookings import Booking, new_reference
from models.booking.generation import calendar_changed
from models.booking.schedule import closed_between
from models.business import Business
from models.business.catalogue import (
    Break,
    Service,
    StaffMember,
    StaffService,
    WorkingHours,
)
from models.people.customers import Customer

SERVICE_ID = 2  # the demo's classic massage, 60 min and a 15-minute buffer
MASSAGES = (1, 2, 3)
STAFF = 10
BUSY_WEEKS = 8
BOOKED_SHARE = 0.7
HORIZON_DAYS = 1500
CUSTOMERS = 500
SECRET_KEY = "test secret key"  # the one support.Server gives the app
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "Accept-Language": "fi"}
SCRIPT = Path(__file__).with_suffix(".lua")
THREADS = 2

GOALS = {  # scenario: (least share of the bare route's rate, largest p99 in ms)
    "fragment": (0.5, 50.0),
    "page": (0.25, None),
    "booking": (None, 100.0),
}
WORKING_DAYS = (
    # (weekdays, start, end, break start): the demo's two, then eight more
    (range(5), time(9), time(17), time(12)),
    (range(1, 6), time(10), time(18), time(13)),
)


def find_wrk():
    found = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if found is None:
        sys.exit("booking_load needs wrk, the HTTP load generator: sudo apt-get install wrk "
                 "(Debian and Ubuntu), then run this again.")
    return found


# The calendar -------------------------------------------------------------------

def build_calendar(url, seed=13):
    """The busy calendar on the database at `url`; the share of working time booked."""
    models.open_database(url)
    schema.migrate()
    rng = random.Random(seed)
    with models.db.connection_context(), models.db.atomic():
        demo.add_demo_business()
        Business.update(horizon_days=HORIZON_DAYS).execute()
        Booking.delete().execute()  # the demo's three: the calendar is filled anew
        for number in range(3, STAFF + 1):
            member = StaffMember.create(name=f"Kuormitus Hieroja {number}")
            for service in MASSAGES:
                StaffService.create(staff=member, service=service)
        for member in StaffMember.select():
            weekdays, start, end, lunch = WORKING_DAYS[(member.id - 1) % 2]
            WorkingHours.delete().where(WorkingHours.staff == member).execute()
            Break.delete().where(Break.staff == member).execute()
            for weekday in weekdays:
                WorkingHours.create(staff=member, weekday=weekday, start=start, end=end)
                Break.create(staff=member, weekday=weekday, start=lunch,
                             end=time(lunch.hour, 30))
        Customer.insert_many(
            {"name": f"Asiakas {n}", "email": f"asiakas{n}@kuorma.example",
             "phone": f"+35840{n:07d}"} for n in range(1, CUSTOMERS + 1)
        ).execute()
        share = _book_weeks(rng)
        calendar_changed()
    models.db.close()
    return share


def _book_weeks(rng):
    """Book the coming weeks to about BOOKED_SHARE of working time; the share booked."""
    services = {s.id: s for s in Service.select().where(Service.id.in_(MASSAGES))}
    customers = [c.id for c in Customer.select(Customer.id)]
    today = datetime.now(HELSINKI).date()
    closed = closed_between(today, today + timedelta(weeks=BUSY_WEEKS))
    rows, booked, worked = [], timedelta(), timedelta()
    for member in StaffMember.select():
        weekdays, start, end, lunch = WORKING_DAYS[(member.id - 1) % 2]
        for offset in range(1, BUSY_WEEKS * 7 + 1):
            day = today + timedelta(days=offset)
            if day.weekday() not in weekdays or day in closed:
                continue
            periods = ((start, lunch), (time(lunch.hour, 30), end))
            for first, last in periods:
                worked += _minutes(first, last)
                booked += _fill(rows, rng, day, first, last, member.id, services, customers)
    for batch in range(0, len(rows), 500):
        Booking.insert_many(rows[batch:batch + 500]).execute()
    return booked / worked


def _minutes(first, last):
    return datetime.combine(date.min, last) - datetime.combine(date.min, first)


def _fill(rows, rng, day, first, last, staff_id, services, customers):
    """Appointments back to back with gaps, on the 15-minute grid, in [first, last)."""
    moment = datetime.combine(day, first, HELSINKI)
    closing = datetime.combine(day, last, HELSINKI)
    booked = timedelta()
    while moment < closing:
        service = services[rng.choice(MASSAGES)]
        length = timedelta(minutes=service.duration_minutes)
        blocked = length + timedelta(minutes=service.buffer_minutes)
        if rng.random() < 0.45 and moment + length <= closing:
            rows.append({
                "reference": new_reference(), "customer": rng.choice(customers),
                "service": service.id, "staff": staff_id, "starts_at": naive_utc(moment),
                "ends_at": naive_utc(moment + length),
                "blocked_until": naive_utc(moment + blocked), "source": "staff",
                "price_cents": service.price_cents,
            })
            taken = min(blocked, closing - moment)
            booked += taken
            moment += -(-taken // timedelta(minutes=15)) * timedelta(minutes=15)
        else:
            moment += timedelta(minutes=15)
    return booked


# The bookings the POSTs make --------------------------------------------------------

def planned_bookings(url, count):
    """`count` (start, staff id) pairs that are free, on the days after the busy weeks:
    each staff member's day filled from its first free time on, one after another."""
    models.open_database(url)
    with models.db.connection_context():
        service = Service.get_by_id(SERVICE_ID)
        duration = timedelta(minutes=service.duration_minutes)
        buffer = timedelta(minutes=service.buffer_minutes)
        rules = BookingRules(slot_step=timedelta(minutes=15), min_notice=timedelta(0),
                             horizon_days=HORIZON_DAYS)
        members = [
            StaffWeek(staff_id=member.id, hours=_weekly(WorkingHours, member),
                      breaks=_weekly(Break, member))
            for member in StaffMember.select().order_by(StaffMember.id)
        ]
        first = datetime.now(HELSINKI).date() + timedelta(weeks=BUSY_WEEKS, days=1)
        closed = closed_between(first, first + timedelta(days=HORIZON_DAYS - 60))
    models.db.close()
    planned, day, now = [], first, datetime.now(UTC)
    while len(planned) < count:
        for member in members:
            latest_end = None
            for slot in free_times(day, [member], duration, buffer, rules, now, closed):
                if latest_end is None or slot.start >= latest_end:
                    planned.append((slot.start, member.staff_id))
                    latest_end = slot.start + duration + buffer
        day += timedelta(days=1)
    return planned[:count]


def _weekly(model, member):
    table = {}
    for row in model.select().where(model.staff == member):
        table.setdefault(row.weekday, []).append((row.start, row.end))
    return table


def booking_bodies(url, planned):
    """The form bodies of `planned` bookings, each with a form token the server takes."""
    from app import create_app
    from views.public.statement import current_statement
    from web.tokens import new_form_token

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "DEVELOPMENT": True})
    bodies = []
    with app.test_request_context(), models.db.connection_context():
        # The version of the privacy statement the details page hands out with its form.
        shown = current_statement().version
        for number, (start, staff_id) in enumerate(planned, start=1):
            bodies.append(urllib.parse.urlencode({
                "form_token": new_form_token(),
                "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"),
                "staff": str(staff_id),
                "name": f"Kuorma Testaaja {number}",
                "email": f"kuorma.{number}@esimerkki.example",
                "phone": "040 123 4567",
                "privacy_version": str(shown),
            }))
    models.db.close()
    return bodies


# Load ---------------------------------------------------------------------------

@dataclass
class Phase:
    rate: float
    p50: float
    p99: float
    statuses: dict
    socket_errors: int
    server_ms: float
    other_cores: float
    ran_out: int = 0
    errors: int = field(init=False)

    def __post_init__(self):
        self.errors = self.socket_errors


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def server_cpu(master):
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return sum(process_cpu(pid) for pid in (master, *map(int, children)))


def machine_cpu():
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS


def wrk_command(binary, url, seconds, connections, headers, body_file=None):
    """The command of one wrk run against `url` (with `body_file`: POSTs of its lines)."""
    command = [binary, "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "10s", "-s", str(SCRIPT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if body_file is not None:
        command += ["--", str(body_file), str(THREADS)]
    return command


def wrk_figures(output):
    """What the script printed: its figures ("key value") and the answers by status."""
    figures, statuses = {}, {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "status":
            statuses[int(parts[1])] = int(parts[2])
        elif len(parts) == 2 and re.fullmatch(r"[a-z0-9_]+", parts[0]):
            figures[parts[0]] = float(parts[1])
    if "requests" not in figures:
        raise RuntimeError(f"wrk said nothing usable:\n{output}")
    return figures, statuses


def wrk(binary, server, path, seconds, connections, headers, bodies=None, workdir=None):
    """One wrk run; its figures, and the CPU the server and the rest used meanwhile."""
    body_file = None
    if bodies is not None:
        body_file = Path(workdir) / "bodies.txt"
        body_file.write_text("\n".join(bodies) + "\n")
    command = wrk_command(binary, server.url + path, seconds, connections, headers,
                          body_file)
    cpu_before, all_before = server_cpu(server.process.pid), machine_cpu()
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode:
        raise RuntimeError(f"wrk failed: {finished.stderr or finished.stdout}")
    cpu = server_cpu(server.process.pid) - cpu_before
    everything = machine_cpu() - all_before
    figures, statuses = wrk_figures(finished.stdout)
    answered = sum(statuses.values())
    return Phase(
        rate=answered / figures["seconds"], p50=figures["p50_ms"], p99=figures["p99_ms"],
        statuses=statuses, socket_errors=int(figures["socket_errors"]),
        server_ms=cpu * 1000 / answered if answered else float("nan"),
        other_cores=max(0.0, everything - cpu) / figures["seconds"],
        ran_out=int(figures["ran_out"]),
    )


def measure(binary, url, args, day, bodies, workdir, log_path):
    """Every scenario in turn, `args.rounds` times, against one server whose output
    (gunicorn's JSON lines, one a request) goes to `log_path`, not to the terminal."""
    with open(log_path, "wb") as log:
        return _measure(Server(url, workers=2, threads=4, log=log), binary, args, day,
                        bodies, workdir)


def _measure(server, binary, args, day, bodies, workdir):
    page = f"/book/{SERVICE_ID}?staff=any&day={day.isoformat()}"
    post_headers = {**BROWSER, "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    scenarios = {
        "health": ("/health", BROWSER, 200),
        "fragment": (page, {**BROWSER, "HX-Request": "true"}, 200),
        "page": (page, BROWSER, 200),
        "booking": (f"/book/{SERVICE_ID}/details", post_headers, 303),
    }
    scenarios = {name: scenarios[name] for name in args.scenarios}
    check(server, page, post_headers, bodies.pop())
    per_phase = len(bodies) // (args.rounds * 2)
    results = {name: [] for name in scenarios}
    try:
        for round_number in range(1, args.rounds + 1):
            for name, (path, headers, expected) in scenarios.items():
                warm = measured = None
                if name == "booking":
                    warm = [bodies.pop() for _ in range(per_phase // 4)]
                    measured = [bodies.pop() for _ in range(per_phase)]
                wrk(binary, server, path, args.warmup, args.connections, headers, warm,
                    workdir)
                phase = wrk(binary, server, path, args.duration, args.connections,
                            headers, measured, workdir)
                phase.errors += sum(count for status, count in phase.statuses.items()
                                    if status != expected)
                results[name].append(phase)
                print_phase(name, round_number, phase)
    finally:
        server.stop()
    return results


def check(server, page, post_headers, body):
    """Each scenario answers what it should before it is timed (and its page is kept)."""
    fragment = _fetch(server.url + page, {"HX-Request": "true"})
    whole = _fetch(server.url + page, {})
    if 'id="booking-times"' not in fragment or "<html" in fragment or "<html" not in whole:
        raise RuntimeError("the fragment or the page is not what it should be")
    request = urllib.request.Request(server.url + f"/book/{SERVICE_ID}/details",
                                     data=body.encode(), headers=post_headers)
    try:
        urllib.request.build_opener(_NoRedirects).open(request, timeout=60)
    except urllib.error.HTTPError as answer:
        if answer.code == 303:
            return
        raise RuntimeError(f"the booking POST was answered {answer.code}") from None
    raise RuntimeError("the booking POST did not redirect")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_):
        return None


def _fetch(url, headers):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                timeout=60) as response:
        return response.read().decode()


def print_phase(name, round_number, phase):
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(phase.statuses.items()))
    out = f", ran out of bodies {phase.ran_out}" if phase.ran_out else ""
    print(f"  {name:<9} round {round_number}: {phase.rate:8.1f} req/s  p50 {phase.p50:7.2f} ms"
          f"  p99 {phase.p99:7.2f} ms  server CPU {phase.server_ms:5.2f} ms/answer  "
          f"[{statuses}; socket errors {phase.socket_errors}]  other processes "
          f"{phase.other_cores:.2f} cores{out}", flush=True)


def report(database, results):
    bare = results["health"]
    print(f"\n{database}: medians of {len(bare)} rounds; 'share' is the rate over (a)'s "
          "in the same round")
    print(f"{'scenario':<10}{'req/s':>9}{'share':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'CPU ms':>8}{'errors':>8}")
    verdicts = []
    for name, phases in results.items():
        shares = [phase.rate / base.rate for phase, base in zip(phases, bare, strict=True)]
        rate = statistics.median(p.rate for p in phases)
        share = statistics.median(shares)
        p99 = statistics.median(p.p99 for p in phases)
        errors = sum(p.errors for p in phases)
        print(f"{name:<10}{rate:9.1f}{share:8.0%}{statistics.median(p.p50 for p in phases):9.2f}"
              f"{p99:9.2f}{statistics.median(p.server_ms for p in phases):8.2f}{errors:8d}")
        least_share, largest_p99 = GOALS.get(name, (None, None))
        if least_share is not None:
            verdicts.append((f"{name} rate >= {least_share:.0%} of the bare route's "
                             f"(is {share:.0%})", share >= least_share))
        if largest_p99 is not None:
            verdicts.append((f"{name} p99 < {largest_p99:g} ms (is {p99:.1f} ms)",
                             p99 < largest_p99))
    errors = sum(p.errors for phases in results.values() for p in phases)
    verdicts.append((f"zero errors (are {errors})", errors == 0))
    other = statistics.median(p.other_cores for phases in results.values() for p in phases)
    print(f"other processes used a median {other:.2f} of {os.cpu_count()} cores meanwhile")
    for text, met in verdicts:
        print(f"  {'PASS' if met else 'MISS'}  {text}")


def postgres_database(url):
    """The PostgreSQL database at `url`, made if missing and emptied, committing as a
    site's database does (the tests' database, if it is the same one, is told not to
    wait for the disk at each commit: that setting is taken off)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(host=parts.hostname, port=parts.port or 5432,
                            user=parts.username, password=parts.password, dbname="postgres",
                            autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
        cursor.execute(f'ALTER DATABASE "{name}" RESET synchronous_commit')
    admin.close()
    database = models.open_database(url)
    with database.connection_context():
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    database.close_all()
    return url


def run(database, binary, args):
    with tempfile.TemporaryDirectory(prefix="vuoro-load-") as workdir:
        if database == "sqlite":
            url = f"sqlite:///{workdir}/vuoro.db"
        else:
            url = postgres_database(args.postgres_url)
        log_path = Path(tempfile.gettempdir()) / f"booking_load-{database}-server.log"
        began = timer.perf_counter()
        share = build_calendar(url)
        planned = planned_bookings(url, args.bookings)
        bodies = booking_bodies(url, planned)
        bodies.reverse()  # popped from the end: the earliest days first
        models.db.obj.close_all()
        today = datetime.now(HELSINKI).date()
        day = today + timedelta(days=(1 - today.weekday()) % 7 + 14)  # a Tuesday
        print(f"\n{database}: {STAFF} staff, {BUSY_WEEKS} weeks booked to {share:.0%} of "
              f"working time, {len(bodies)} bookings planned for the POSTs; built in "
              f"{timer.perf_counter() - began:.0f} s; the fragment's day {day:%a %d.%m.%Y}; "
              f"the server's output goes to {log_path}")
        results = measure(binary, url, args, day, bodies, workdir, log_path)
    report(database, results)


SCENARIOS = ("health", "fragment", "page", "booking")


def _scenarios(text):
    chosen = {name.strip() for name in text.split(",")} | {"health"}
    if chosen - set(SCENARIOS):
        raise argparse.ArgumentTypeError(f"unknown scenarios: {', '.join(chosen - set(SCENARIOS))}")
    return [name for name in SCENARIOS if name in chosen]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("VUORO_LOAD_POSTGRES_URL",
                                               "postgresql://postgres@127.0.0.1:5432/vuoro_load"),
                        help="the PostgreSQL database to fill and load (emptied first); "
                        "default: VUORO_LOAD_POSTGRES_URL, else vuoro_load on localhost")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=2, help="seconds")
    parser.add_argument("--duration", type=int, default=10, help="seconds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scenarios", type=_scenarios, default=list(SCENARIOS),
                        help="which of " + ",".join(SCENARIOS) + " to run (comma-separated; "
                        "health always runs, as the others' measure)")
    parser.add_argument("--bookings", type=int, default=24_000,
                        help="bookings planned for the POSTs of all rounds")
    args = parser.parse_args()
    binary = find_wrk()
    print(f"booking_load: wrk {THREADS} threads, {args.connections} connections; gunicorn "
          f"2 workers x 4 threads; {args.warmup:g} s warm-up + {args.duration:g} s "
          f"measured, {args.rounds} rounds")
    print(f"machine: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for database in (("sqlite", "postgres") if args.database == "both" else (args.database,)):
        run(database, binary, args)


if __name__ == "__main__":
    main()
