"""The booking page under load: requests per second and latency at 16 connections.

Run from the repository root: .venv/bin/python benchmarks/booking_load.py

Starts the app in gunicorn (2 workers, on a temporary SQLite database with the demo
business) on a free loopback port and loads it from this process (a separate one) with
an asyncio HTTP/1.1 client on raw sockets, 16 connections, keep-alive where the server
allows it (gunicorn's sync workers close every connection; its gthread workers keep
them). Sync workers are the default: with --threads 4 (gthread) the bare route is
faster, thanks to keep-alive, but the fragment and the booking are not, and their p99
is worse (threads of one worker share the GIL, and writers wait on SQLite's lock).
Besides rate and latency, each run reports the server's CPU time per answer (gunicorn's
processes, from /proc), which other load on a shared machine moves much less than the
rate, and how much CPU other processes took meanwhile. Three scenarios, each a 2 s
warm-up and then 10 s measured, repeated three times in turn (a, b, c, a, b, c, ...);
the medians of the three are reported:

  a. GET /health: no database, the baseline of the stack itself
  b. GET /book/2?staff=any&day=<a Tuesday 2 weeks ahead> with HX-Request: true, the
     #free-times fragment HTMX asks for when a day is chosen
  c. POST /book/2/details: a booking, with a form token fetched beforehand from
     GET /book/2/details (outside the timed phase), at a free time planned ahead so
     that each booking should succeed (303); a time someone else took gives 409

Every request carries the headers a browser sends (Accept-Encoding: gzip, deflate, br,
zstd; for the POST also Origin and Sec-Fetch-Site), so the responses are compressed as
a browser would get them. Errors are connection errors, time-outs, 5xx answers and any
status other than the one expected (200; for the POST 303, with 409 counted apart).

The demo business books 60 days ahead, room for only some 400 bookings of service 2;
the benchmark's own database books 1500 days ahead instead so that every POST can be a
real booking. Each connection books whole days, in time order, on days after the week
the fragment shows, so the fragment's answer stays the same all through.
"""

import argparse
import asyncio
import itertools
import math
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import Server, next_weekday

import models
from engines.clock import HELSINKI
from engines.free_times import Span, free_times
from models import demo, schema
from models.booking.schedule import closed_between, staff_ids_for, staff_weeks
from models.business import Business
from models.business.catalogue import Service

SERVICE_ID = 2
HORIZON_DAYS = 1500
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
REQUEST_TIMEOUT = 10.0
TOKEN_RE = re.compile(rb'name="form_token" value="([^"]+)"')

CUSTOMER_NUMBERS = itertools.count(1)

GOAL_FRAGMENT_SHARE = 0.5
GOAL_P99_MS = 100.0


class Connection:
    """One client connection speaking just enough HTTP/1.1, reopened when the server
    closes it."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.opened = 0

    async def request(self, raw):
        """Send one request; return (status, headers, body)."""
        for attempt in range(2):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(
                    self.host, self.port
                )
                self.opened += 1
            try:
                self.writer.write(raw)
                status, headers, body = await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt:
                    raise
                continue  # a kept-alive connection the server had closed: once more
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, headers, body
        raise AssertionError("unreachable")

    async def _response(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        return status, headers, body

    async def _chunked(self):
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def get_request(host, path, extra=(), encodings=BROWSER_ENCODINGS):
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Accept: text/html,*/*",
             f"Accept-Encoding: {encodings}", "Accept-Language: fi", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post_request(host, path, fields):
    body = urllib.parse.urlencode(fields).encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Accept: text/html,*/*",
             f"Accept-Encoding: {BROWSER_ENCODINGS}", "Accept-Language: fi",
             f"Origin: http://{host}", "Sec-Fetch-Site: same-origin",
             "Content-Type: application/x-www-form-urlencoded",
             f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Result:
    rate: float
    p50: float
    p99: float
    count: int
    statuses: dict
    errors: int
    taken: int
    connections_opened: int
    server_ms: float = math.nan  # server CPU per answered request
    client_cores: float = 0.0  # CPU of this load generator, in cores
    other_cores: float = 0.0  # CPU of everything else on the machine, in cores
    extra: dict = field(default_factory=dict)


async def timed_request(conn, raw):
    """Send one request on `conn`: its status ("connection error" when it failed) and
    when it began and finished (perf_counter seconds)."""
    began = time.perf_counter()
    try:
        status, _, _ = await asyncio.wait_for(conn.request(raw), REQUEST_TIMEOUT)
    except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
        conn.close()
        status = "connection error"
    return status, began, time.perf_counter()


def percentile(sorted_values, share):
    if not sorted_values:
        return math.nan
    index = min(len(sorted_values) - 1, max(0, math.ceil(share * len(sorted_values)) - 1))
    return sorted_values[index]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid):
    """CPU seconds (user + system) a process has used, or 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def server_pids(master):
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return [master, *(int(pid) for pid in children)]


def machine_cpu():
    """CPU seconds all processes of the machine have used (busy, not idle)."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0]
                 .split()[1:9]]
    except OSError:
        return 0.0
    return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS


def cpu_snapshot(master):
    return (
        sum(process_cpu(pid) for pid in server_pids(master)),
        process_cpu(os.getpid()),
        machine_cpu(),
    )


async def run_phase(target, next_request, expected, args):
    """`args.connections` clients, each sending next_request(client) one after
    another; requests finishing in the `args.duration` after `args.warmup` count."""
    host, port, master = target
    start = time.perf_counter()
    counted_from = start + args.warmup
    stop_at = counted_from + args.duration
    latencies, statuses = [], {}
    errors = taken = 0
    clients = [Connection(host, port) for _ in range(args.connections)]
    snapshots = []

    async def client(index):
        nonlocal errors, taken
        conn = clients[index]
        while time.perf_counter() < stop_at:
            raw = await next_request(index)
            if raw is None:  # nothing left to send
                return
            status, began, finished = await timed_request(conn, raw)
            if finished < counted_from or finished > stop_at:
                continue
            statuses[status] = statuses.get(status, 0) + 1
            if status == expected:
                latencies.append(finished - began)
            elif status == 409:
                taken += 1
                latencies.append(finished - began)
            else:
                errors += 1

    async def accountant():
        await asyncio.sleep(max(0.0, counted_from - time.perf_counter()))
        snapshots.append(cpu_snapshot(master))
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        snapshots.append(cpu_snapshot(master))

    await asyncio.gather(accountant(), *(client(i) for i in range(args.connections)))
    for conn in clients:
        conn.close()
    latencies.sort()
    (server_0, client_0, all_0), (server_1, client_1, all_1) = snapshots
    server_cpu, client_cpu = server_1 - server_0, client_1 - client_0
    answered = len(latencies)
    return Result(
        rate=answered / args.duration,
        p50=percentile(latencies, 0.50) * 1000,
        p99=percentile(latencies, 0.99) * 1000,
        count=answered + errors,
        statuses=statuses,
        errors=errors,
        taken=taken,
        connections_opened=sum(conn.opened for conn in clients),
        server_ms=server_cpu * 1000 / answered if answered else math.nan,
        client_cores=client_cpu / args.duration,
        other_cores=max(0.0, (all_1 - all_0) - server_cpu - client_cpu) / args.duration,
    )


class BookingPlan:
    """Free start times to book, worked out ahead the way the server assigns staff
    ("anyone free": the least booked that day, then the lowest id), day after day."""

    def __init__(self, first_day, now):
        service = Service.get_by_id(SERVICE_ID)
        self.duration = timedelta(minutes=service.duration_minutes)
        self.blocked = self.duration + timedelta(minutes=service.buffer_minutes)
        self.buffer = timedelta(minutes=service.buffer_minutes)
        self.rules = Business.current().booking_rules
        self.now = now
        today = now.astimezone(HELSINKI).date()
        self.last_day = today + timedelta(days=self.rules.horizon_days)
        ids = staff_ids_for(service)
        self.weeks = staff_weeks(ids, first_day, self.last_day)
        self.closed = closed_between(first_day, self.last_day)
        self.next_day = first_day
        self.days = []  # each a list of start times (aware), in the order to book

    def planned(self):
        return sum(len(day) for day in self.days)

    def extend(self, wanted):
        while self.planned() < wanted and self.next_day <= self.last_day:
            starts = self._plan_day(self.next_day)
            if starts:
                self.days.append(starts)
            self.next_day += timedelta(days=1)

    def _plan_day(self, day):
        extra = {week.staff_id: [] for week in self.weeks}
        starts = []
        while True:
            staff = [replace(w, busy=[*w.busy, *extra[w.staff_id]]) for w in self.weeks]
            slots = free_times(day, staff, self.duration, self.buffer, self.rules,
                               self.now, self.closed)
            if not slots:
                return starts
            slot = slots[0]
            chosen = min(slot.staff_ids, key=lambda s: (len(extra[s]), s))
            extra[chosen].append(Span(slot.start, slot.start + self.blocked))
            starts.append(slot.start)

    def take_day(self):
        return self.days.pop(0) if self.days else None


def start_param(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


async def fetch_tokens(host, port, path, count, connections):
    """`count` form tokens from the details page, fetched `connections` at a time."""
    tokens, failures = [], 0
    raw = get_request(host, path, encodings="identity")
    clients = [Connection(host, port) for _ in range(connections)]
    remaining = count

    async def client(conn):
        nonlocal remaining, failures
        while remaining > 0 and failures < 50:
            remaining -= 1
            try:
                status, _, body = await asyncio.wait_for(conn.request(raw), 30)
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                conn.close()
                failures += 1
                continue
            found = TOKEN_RE.search(body) if status == 200 else None
            if found is None:
                failures += 1
                continue
            tokens.append(found.group(1).decode())

    await asyncio.gather(*(client(conn) for conn in clients))
    for conn in clients:
        conn.close()
    if failures >= 50:
        raise RuntimeError(f"could not fetch form tokens from {path}")
    return tokens


class Booker:
    """Hands each connection the next booking of its current day, with a fresh token."""

    def __init__(self, host, port, plan, tokens, token_path):
        self.host, self.port = host, port
        self.plan, self.tokens, self.token_path = plan, tokens, token_path
        self.queues = {}
        self.sent = 0  # this run's requests
        self.inline_tokens = 0
        self.out_of_times = False
        self.path = f"/book/{SERVICE_ID}/details"

    async def next_request(self, index):
        queue = self.queues.get(index)
        if not queue:
            queue = self.queues[index] = self.plan.take_day()
            if queue is None:
                self.out_of_times = True
                return None
        start = queue.pop(0)
        if self.tokens:
            token = self.tokens.pop()
        else:  # ran out: fetch one now (not timed, but it slows the phase down)
            self.inline_tokens += 1
            token = (await fetch_tokens(self.host, self.port, self.token_path, 1, 1))[0]
        self.sent += 1
        number = next(CUSTOMER_NUMBERS)  # a new customer each time
        return post_request(self.host, self.path, {
            "form_token": token,
            "start": start_param(start),
            "staff": "any",
            "name": f"Kuorma Testaaja {number}",
            "email": f"kuorma.{number}@esimerkki.fi",
            "phone": "040 123 4567",
        })


def make_database(directory):
    path = Path(directory) / "vuoro.db"
    url = f"sqlite:///{path}"
    models.open_database(url)
    schema.migrate()
    with models.db.connection_context():
        demo.add_demo_business()
        Business.update(horizon_days=HORIZON_DAYS).execute()
    return url


def fmt(value, digits=1):
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def print_run(name, repeat, result):
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items(),
                                                          key=lambda kv: str(kv[0])))
    extra = "".join(f", {k} {v}" for k, v in result.extra.items())
    print(f"  {name:<8} run {repeat}: {fmt(result.rate):>7} req/s  p50 "
          f"{fmt(result.p50, 2):>7} ms  p99 {fmt(result.p99, 2):>7} ms  server CPU "
          f"{fmt(result.server_ms, 2)} ms/req  [{statuses}]\n"
          f"{'':19}load generator {result.client_cores:.2f} cores, other processes "
          f"{result.other_cores:.2f} cores, connections opened "
          f"{result.connections_opened}{extra}", flush=True)


def median_of(results, attribute):
    return statistics.median(getattr(r, attribute) for r in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn threads per worker; 1 = sync workers, "
                             "more = gthread workers (keep-alive)")
    args = parser.parse_args()

    worker_kind = "sync" if args.threads == 1 else f"gthread, {args.threads} threads"
    print(f"booking_load: gunicorn {args.workers} workers ({worker_kind}), SQLite, "
          f"{args.connections} connections, {args.warmup:g} s warm-up + "
          f"{args.duration:g} s measured, {args.repeats} runs each (medians)")
    print(f"machine: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"Python {platform.python_version()}")

    print(f"server: {sys.executable} -m gunicorn --workers {args.workers} --threads "
          f"{args.threads} --bind 127.0.0.1:<free port> --log-level warning "
          "'app:create_app()'")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vuoro-load-") as directory:
        url = make_database(directory)
        day = next_weekday(1)  # a Tuesday two weeks ahead: both staff members work
        with models.db.connection_context():
            plan = BookingPlan(day + timedelta(days=7), datetime.now(UTC))
            plan.extend(4000)
            first_start = plan.days[0][0]
        models.db.close()
        server = Server(url, workers=args.workers, threads=args.threads)
        try:
            results = asyncio.run(measure(server, args, day, plan, first_start))
        finally:
            server.stop()
    report(results, args)
    print(f"\ntotal time {time.perf_counter() - began:.0f} s")


async def measure(server, args, day, plan, first_start):
    host = f"127.0.0.1:{server.port}"
    port = server.port
    target = ("127.0.0.1", port, server.process.pid)
    fragment_path = f"/book/{SERVICE_ID}?staff=any&day={day.isoformat()}"
    token_path = (f"/book/{SERVICE_ID}/details?staff=any&start="
                  f"{urllib.parse.quote(start_param(first_start))}")
    health = get_request(host, "/health")
    fragment = get_request(host, fragment_path, ["HX-Request: true",
                                                 f"HX-Current-URL: http://{host}/"])

    # The fragment must be what we think it is before it is timed.
    conn = Connection("127.0.0.1", port)
    status, headers, body = await conn.request(
        get_request(host, fragment_path, ["HX-Request: true"], encodings="identity"))
    conn.close()
    if status != 200 or b'id="free-times"' not in body or b"<html" in body:
        raise RuntimeError(f"the fragment is not the #free-times section ({status})")
    print(f"(a) GET /health\n(b) GET {fragment_path} with HX-Request: true "
          f"({len(body)} bytes; the free times of a {day:%A})\n"
          f"(c) POST /book/{SERVICE_ID}/details, booking planned free times from "
          f"{first_start.date()} on; tokens from GET {token_path}\n")

    async def send_health(_):
        return health

    async def send_fragment(_):
        return fragment

    results = {"health": [], "fragment": [], "booking": []}
    tokens = []
    post_rates = []
    for repeat in range(1, args.repeats + 1):
        for name, sender in (("health", send_health), ("fragment", send_fragment)):
            result = await run_phase(target, sender, 200, args)
            results[name].append(result)
            print_run(name, repeat, result)
        # Enough tokens for the coming run, warm-up and measurement: at the best POST
        # rate seen so far, the fragment's just now or a fifth of the bare route's,
        # and half as much again (the load of a shared machine comes and goes;
        # tokens left over are kept for the next run).
        guess = max([*post_rates, results["fragment"][-1].rate,
                     results["health"][-1].rate / 5])
        wanted = math.ceil(1.5 * guess * (args.warmup + args.duration)) + 50
        fetched_at = time.perf_counter()
        fetched = max(0, wanted - len(tokens))
        if fetched:
            tokens += await fetch_tokens("127.0.0.1", port, token_path, fetched,
                                         args.connections)
        fetch_seconds = time.perf_counter() - fetched_at
        plan.extend(wanted)
        booker = Booker("127.0.0.1", port, plan, tokens, token_path)
        result = await run_phase(target, booker.next_request, 303, args)
        result.extra = {
            "form tokens fetched before": f"{fetched} ({fetch_seconds:.1f} s)",
            "during": booker.inline_tokens,
        }
        if booker.out_of_times:
            result.extra["ran out of free times"] = True
        post_rates.append(result.rate)
        results["booking"].append(result)
        print_run("booking", repeat, result)
    return results


def report(results, args):
    base = median_of(results["health"], "rate")
    names = {
        "health": "(a) /health",
        "fragment": "(b) free-times fragment",
        "booking": "(c) booking POST",
    }
    print(f"\nmedians of {args.repeats} runs, {args.connections} connections")
    print(f"{'scenario':<25}{'req/s':>8}{'vs (a)':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'CPU ms':>8}{'vs (a)':>8}{'requests':>10}{'409':>6}{'errors':>8}")
    base_cpu = median_of(results["health"], "server_ms")
    for key, label in names.items():
        runs = results[key]
        rate = median_of(runs, "rate")
        cpu = median_of(runs, "server_ms")
        print(f"{label:<25}{fmt(rate):>8}{rate / base:>8.0%}"
              f"{fmt(median_of(runs, 'p50'), 2):>9}{fmt(median_of(runs, 'p99'), 2):>9}"
              f"{fmt(cpu, 2):>8}{cpu / base_cpu:>7.1f}x{sum(r.count for r in runs):>10}"
              f"{sum(r.taken for r in runs):>6}{sum(r.errors for r in runs):>8}")
    print("req/s, p50 and p99 count answers (for the POST 303 and 409), not errors;\n"
          "CPU ms is the server's (gunicorn master and workers) CPU time per answer,\n"
          "the figure least moved by other load on the machine;\n"
          "requests, 409 and errors are totals over all runs")
    other = median_of([r for runs in results.values() for r in runs], "other_cores")
    print(f"other processes used a median {other:.2f} of {os.cpu_count()} cores "
          "during the runs")

    print("\ngoals")
    share = median_of(results["fragment"], "rate") / base
    goal(f"fragment rate >= {GOAL_FRAGMENT_SHARE:.0%} of the bare route's "
         f"(is {share:.0%})", share >= GOAL_FRAGMENT_SHARE)
    for key, label in names.items():
        p99 = median_of(results[key], "p99")
        goal(f"p99 < {GOAL_P99_MS:g} ms at {args.connections} connections, "
             f"{label} (is {fmt(p99, 1)} ms)", p99 < GOAL_P99_MS)
    errors = sum(r.errors for runs in results.values() for r in runs)
    goal(f"zero errors (are {errors})", errors == 0)


def goal(text, met):
    print(f"  {'PASS' if met else 'MISS'}  {text}")


if __name__ == "__main__":
    main()
