"""One app server against two, on one PostgreSQL and one Redis, in one run.

Run from the repository root:
  .venv/bin/python benchmarks/two_servers.py [--postgres-url URL] [--redis-url URL]

The calendar, the bookings planned for the POSTs and the load generator (wrk, 2
threads) are those of benchmarks/booking_load.py (10 staff, eight weeks booked to
about 70 %). Two gunicorn servers run as the README runs one (2 workers of 4 threads
each), on the same PostgreSQL database, sharing the secret key and Redis (the throttles'
counts: VUORO_RATELIMIT_STORAGE_URL), as two app servers behind a proxy do. There is no
proxy here: the load is two wrk processes at once, 8 connections each (16 in all):

  one server:  both wrk against the first server
  two servers: one wrk against each

so that the two setups are measured the same way. The rate is the sum of the two wrk;
the p99 is the larger of their two p99s (two percentiles cannot be merged exactly; the
larger is the one a customer behind the slower half sees). Three scenarios, as in
booking_load: (a) GET /health, the bare route; (b) the day's free-times fragment; (c) the
booking POST, each body sent once (303 expected; 409, taken, counts as an error). Each
scenario runs one server, then two, `--rounds` times (`--warmup` s unmeasured, then
`--duration` s); medians are reported, with the ratio two/one of the same round.

After the load, the bookings in the database must be exactly those the two servers
answered 303 for (counted in their access logs: wrk does not see the answers of the
requests still on their way when it stops), and no two active bookings of one staff
member may overlap.

Read the figures for what they are: on a machine of 2 cores both servers share the
same two cores, so a second server cannot add CPU; it shows that the two work together
under load (no errors, no double booking, the throttles in one Redis), and what the
second server's processes cost. On two machines the rate would add up to the point the
database allows.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time as timer
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import booking_load
from booking_load import (
    BROWSER,
    SERVICE_ID,
    Server,
    booking_bodies,
    build_calendar,
    check,
    find_wrk,
    machine_cpu,
    planned_bookings,
    postgres_database,
    server_cpu,
    wrk_command,
    wrk_figures,
)

import models
from engines.clock import HELSINKI

CONNECTIONS_EACH = 8
SETUPS = ("one", "two")
SCENARIOS = ("health", "fragment", "booking")


@dataclass
class Phase:
    rate: float
    p50: float
    p99: float
    statuses: dict
    errors: int
    server_ms: float
    created: int  # 303s


def post_headers(server):
    return {**BROWSER, "Content-Type": "application/x-www-form-urlencoded",
            "Origin": server.url, "Sec-Fetch-Site": "same-origin"}


def load(binary, targets, scenario, seconds, day, bodies, workdir, servers):
    """Two wrk at once, one against each server of `targets` (the same one twice for a
    single server); their figures together, with the CPU of all `servers`."""
    page = f"/book/{SERVICE_ID}?staff=any&day={day.isoformat()}"
    commands = []
    for number, server in enumerate(targets):
        if scenario == "health":
            path, headers, body_file = "/health", BROWSER, None
        elif scenario == "fragment":
            path, headers, body_file = page, {**BROWSER, "HX-Request": "true"}, None
        else:
            path, headers = f"/book/{SERVICE_ID}/details", post_headers(server)
            body_file = Path(workdir) / f"bodies-{number}.txt"
            body_file.write_text("\n".join(bodies[number]) + "\n")
        commands.append(wrk_command(binary, server.url + path, seconds, CONNECTIONS_EACH,
                                    headers, body_file))
    cpu_before = sum(server_cpu(server.process.pid) for server in servers)
    machine_before = machine_cpu()
    running = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for command in commands]
    outputs = [process.communicate() for process in running]
    cpu = sum(server_cpu(server.process.pid) for server in servers) - cpu_before
    used = machine_cpu() - machine_before
    for process, (out, err) in zip(running, outputs, strict=True):
        if process.returncode:
            raise RuntimeError(f"wrk failed: {err or out}")
    parts = [wrk_figures(out) for out, _ in outputs]
    statuses = {}
    for _, counted in parts:
        for status, count in counted.items():
            statuses[status] = statuses.get(status, 0) + count
    answered = sum(statuses.values())
    expected = 303 if scenario == "booking" else 200
    socket_errors = sum(int(figures["socket_errors"]) for figures, _ in parts)
    ran_out = sum(int(figures["ran_out"]) for figures, _ in parts)
    phase = Phase(
        rate=sum(sum(counted.values()) / figures["seconds"] for figures, counted in parts),
        p50=max(figures["p50_ms"] for figures, _ in parts),
        p99=max(figures["p99_ms"] for figures, _ in parts),
        statuses=statuses,
        errors=socket_errors + ran_out + sum(count for status, count in statuses.items()
                                             if status != expected),
        server_ms=cpu * 1000 / answered if answered else float("nan"),
        created=statuses.get(303, 0) if scenario == "booking" else 0,
    )
    phase.other_cores = max(0.0, used - cpu) / max(f["seconds"] for f, _ in parts)
    return phase


def take(bodies, count):
    taken = bodies[-count:]
    del bodies[-count:]
    return taken


def measure(binary, url, redis_url, args, day, bodies, workdir):
    settings = {"VUORO_RATELIMIT_STORAGE_URL": redis_url}
    # Each server's log lines (one a request, as in production) to a file of its own.
    logs = [open(Path(workdir) / f"server-{number}.log", "w")  # noqa: SIM115
            for number in (1, 2)]
    first = Server(url, workers=2, threads=4, env=settings, log=logs[0])
    servers = [first]
    try:
        servers.append(Server(url, workers=2, threads=4, env=settings, log=logs[1]))
        page = f"/book/{SERVICE_ID}?staff=any&day={day.isoformat()}"
        for server in servers:
            check(server, page, post_headers(server), bodies.pop())
        created = len(servers)  # the 303s of the checks, the warm-ups and the phases
        targets = {"one": (first, first), "two": tuple(servers)}
        # bodies for every booking phase: a quarter for its warm-up, per wrk
        per_wrk = len(bodies) // (args.rounds * len(SETUPS) * 2 * 5 // 4)
        results = {(scenario, setup): [] for scenario in SCENARIOS for setup in SETUPS}
        for round_number in range(1, args.rounds + 1):
            for scenario in SCENARIOS:
                for setup in SETUPS:
                    warm = measured = None
                    if scenario == "booking":
                        warm = [take(bodies, per_wrk // 4) for _ in range(2)]
                        measured = [take(bodies, per_wrk) for _ in range(2)]
                    created += load(binary, targets[setup], scenario, args.warmup, day,
                                    warm, workdir, servers).created
                    phase = load(binary, targets[setup], scenario, args.duration, day,
                                 measured, workdir, servers)
                    created += phase.created
                    results[scenario, setup].append(phase)
                    print_phase(scenario, setup, round_number, phase)
    finally:
        for server in servers:
            server.stop()
        for log in logs:
            log.close()
    answered = sum(_posts_booked(Path(log.name)) for log in logs)
    return results, created, answered


def _posts_booked(log):
    """How many booking POSTs the server answered 303, from its access log."""
    count = 0
    for line in log.read_text().splitlines():
        if '"method": "POST"' in line and '"status": 303' in line:
            count += 1
    return count


def print_phase(scenario, setup, round_number, phase):
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(phase.statuses.items()))
    print(f"  {scenario:<9}{setup:>4} round {round_number}: {phase.rate:8.1f} req/s  "
          f"p99 {phase.p99:7.2f} ms  server CPU {phase.server_ms:5.2f} ms/answer  "
          f"[{statuses}; errors {phase.errors}]  other processes "
          f"{phase.other_cores:.2f} cores", flush=True)


def verify(url, created):
    """Every 303 made one booking, and no staff member is booked twice at once."""
    models.open_database(url)
    with models.db.connection_context():
        made = models.db.execute_sql(
            "SELECT count(*) FROM booking WHERE source = 'online'").fetchone()[0]
        overlapping = models.db.execute_sql(
            "SELECT count(*) FROM booking a JOIN booking b ON a.staff_id = b.staff_id "
            "AND a.id < b.id AND a.status != 'cancelled' AND b.status != 'cancelled' "
            "AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until"
        ).fetchone()[0]
    models.db.close_all()
    return made, overlapping


def report(results, created, answered, made, overlapping):
    print("\nPostgreSQL, one server against two: medians of "
          f"{len(results['health', 'one'])} rounds; 'two/one' is the ratio of the rates "
          "in the same round")
    print(f"{'scenario':<10}{'one req/s':>11}{'two req/s':>11}{'two/one':>9}"
          f"{'one p99':>9}{'two p99':>9}{'one CPU':>9}{'two CPU':>9}{'errors':>8}")
    for scenario in SCENARIOS:
        one, two = results[scenario, "one"], results[scenario, "two"]
        ratio = statistics.median(b.rate / a.rate for a, b in zip(one, two, strict=True))
        errors = sum(p.errors for p in one + two)

        def median(phases, name):
            return statistics.median(getattr(p, name) for p in phases)

        print(f"{scenario:<10}{median(one, 'rate'):11.1f}{median(two, 'rate'):11.1f}"
              f"{ratio:9.2f}{median(one, 'p99'):9.1f}{median(two, 'p99'):9.1f}"
              f"{median(one, 'server_ms'):9.2f}{median(two, 'server_ms'):9.2f}{errors:8d}")
    print("(p99 in ms; CPU: ms of the servers' processes per answer)")
    other = statistics.median(p.other_cores for phases in results.values() for p in phases)
    print(f"other processes used a median {other:.2f} of {os.cpu_count()} cores meanwhile")
    errors = sum(p.errors for phases in results.values() for p in phases)
    for text, met in (
        (f"zero errors on one and on two servers (are {errors})", errors == 0),
        (f"the servers answered 303 to {answered} booking POSTs ({created} of them "
         f"seen by wrk, warm-ups included) and the database holds {answered} online "
         f"bookings (holds {made})", made == answered),
        (f"no two active bookings of a staff member overlap (overlaps: {overlapping})",
         overlapping == 0),
    ):
        print(f"  {'PASS' if met else 'MISS'}  {text}")


def redis_flushed(url):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as error:
        sys.exit(f"two_servers needs Redis at {url} (--redis-url): {error}")
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-url",
                        default="postgresql://postgres@127.0.0.1:5432/vuoro_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0",
                        help="a Redis database of its own: it is emptied first")
    parser.add_argument("--warmup", type=int, default=2, help="seconds")
    parser.add_argument("--duration", type=int, default=8, help="seconds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bookings", type=int, default=24_000,
                        help="bookings planned for the POSTs of all rounds")
    args = parser.parse_args()
    binary = find_wrk()
    redis_flushed(args.redis_url)
    print(f"two_servers: 2 wrk x {booking_load.THREADS} threads x {CONNECTIONS_EACH} "
          "connections; each gunicorn 2 workers x 4 threads; "
          f"{args.warmup} s warm-up + {args.duration} s measured, {args.rounds} rounds")
    print(f"machine: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="vuoro-two-") as workdir:
        url = postgres_database(args.postgres_url)
        began = timer.perf_counter()
        share = build_calendar(url)
        bodies = booking_bodies(url, planned_bookings(url, args.bookings))
        bodies.reverse()  # taken from the end: the earliest days first
        models.db.obj.close_all()
        today = datetime.now(HELSINKI).date()
        day = today + timedelta(days=(1 - today.weekday()) % 7 + 14)  # a Tuesday
        print(f"PostgreSQL: {booking_load.STAFF} staff, {booking_load.BUSY_WEEKS} weeks "
              f"booked to {share:.0%}, {len(bodies)} bookings planned; built in "
              f"{timer.perf_counter() - began:.0f} s; the fragment's day {day:%a %d.%m.%Y}")
        results, created, answered = measure(binary, url, args.redis_url, args, day,
                                             bodies, workdir)
    made, overlapping = verify(url, created)
    report(results, created, answered, made, overlapping)


if __name__ == "__main__":
    main()
