"""The memory of each app server worker after 100 000 requests.

Run from the repository root:
  .venv/bin/python benchmarks/memory.py [--database sqlite|postgres] [--requests 100000]

The app in gunicorn as the README runs it (2 workers of 4 threads, gunicorn.conf.py's
JSON logs, here to a file), on the busy calendar of benchmarks/booking_load.py (10
staff, eight weeks booked to about 70 %), and wrk (16 connections, 2 threads) asking in
turn, in Finnish, Swedish and English:

  the home page; the booking page of each of the three massages for each of the next
  56 days; the day's free-times fragment (HTMX) of the same; and the staff day view of
  each of those days, logged in as the owner (the session cookie goes with every
  request, as a logged-in owner's browser sends it to the public pages too)

so that every cache kept per process (the pages and inputs of free times by
generation, the templates, the translations) fills to its bound. wrk runs in stretches
of `--stretch` seconds until `--requests` answers have come; after each stretch the
resident memory (VmRSS in /proc/<pid>/status) of each worker is printed, with the
start's (after one request of each kind) and the largest seen. Goal (issue 13): each
worker under 150 MB after 100 000 requests; the growth over the last half of the run
shows whether memory keeps growing or levels off.
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time as timer
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import booking_load
from booking_load import (
    MASSAGES,
    Server,
    build_calendar,
    find_wrk,
    postgres_database,
    server_cpu,
    wrk_command,
    wrk_figures,
)

import models
from engines.clock import HELSINKI

GOAL_MB = 150
DAYS = 56
CONNECTIONS = 16
EMAIL = "omistaja@kuorma.example"
PASSWORD = "seitsemän siilin syyskuu"
SCRIPT = Path(__file__).with_suffix(".lua")


def owner_account(url):
    from models.accounts.users import OWNER, create_user

    models.open_database(url)
    with models.db.connection_context():
        user = create_user(EMAIL, "Kuorma Omistaja", OWNER)
        user.set_password(PASSWORD)
        user.save()
    models.db.close_all()


def request(base, method, path, cookies, body=None):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return response.status, text
    finally:
        connection.close()


def logged_in(base):
    """The owner's cookies after logging in through the login form."""
    cookies = {}
    _, page = request(base, "GET", "/staff/login", cookies)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    status, _ = request(base, "POST", "/staff/login", cookies, urlencode(
        {"csrf_token": token, "email": EMAIL, "password": PASSWORD}))
    if status != 303:
        raise RuntimeError(f"the owner's login was answered {status}")
    return cookies


def paths(first_day):
    lines = ["get /"]
    for offset in range(DAYS):
        day = (first_day + timedelta(days=offset)).isoformat()
        for service in MASSAGES:
            lines += [f"get /book/{service}?staff=any&day={day}",
                      f"hx /book/{service}?staff=any&day={day}"]
        lines.append(f"get /staff/calendar/{day}")
    return lines


def workers(master):
    try:
        return [int(pid) for pid in
                Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def check_each(base, lines, cookies):
    """One request of each kind answers 200 before the load."""
    staff_day = next(line for line in lines if "/staff/" in line)
    for line in (lines[0], lines[1], lines[2], staff_day):
        kind, path = line.split(" ", 1)
        parts = urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if kind == "hx":
            headers["HX-Request"] = "true"
        connection.request("GET", path, headers=headers)
        status = connection.getresponse().status
        connection.close()
        if status != 200:
            raise RuntimeError(f"{path} was answered {status}")


def run(database, args, binary):
    with tempfile.TemporaryDirectory(prefix="vuoro-memory-") as workdir:
        if database == "sqlite":
            url = f"sqlite:///{workdir}/vuoro.db"
        else:
            url = postgres_database(args.postgres_url)
        share = build_calendar(url)
        owner_account(url)
        models.db.obj.close_all()
        today = datetime.now(HELSINKI).date()
        lines = paths(today + timedelta(days=1))
        path_file = Path(workdir) / "paths.txt"
        path_file.write_text("\n".join(lines) + "\n")
        with open(Path(workdir) / "server.log", "w") as log:
            server = Server(url, workers=2, threads=4, log=log)
            try:
                results = load(server, lines, path_file, args, binary)
            finally:
                server.stop()
    report(database, share, len(lines), *results)


def load(server, lines, path_file, args, binary):
    cookies = logged_in(server.url)
    check_each(server.url, lines, cookies)
    pids = workers(server.process.pid)
    start = {pid: rss_mb(pid) for pid in pids}
    print("  start (after one request of each kind): "
          + ", ".join(f"worker {pid} {mb:.1f} MB" for pid, mb in start.items()), flush=True)
    headers = {"Accept-Encoding": "gzip, deflate, br, zstd",
               "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    command = wrk_command(binary, server.url + "/", args.stretch, CONNECTIONS, headers)
    command[command.index(str(booking_load.SCRIPT))] = str(SCRIPT)
    command += ["--", str(path_file)]
    answered, statuses, socket_errors, samples = 0, {}, 0, []
    largest = dict(start)
    began, cpu_before = timer.perf_counter(), server_cpu(server.process.pid)
    deadline = None if args.minutes is None else timer.monotonic() + args.minutes * 60
    while answered < args.requests:
        if deadline is not None and timer.monotonic() > deadline:
            print(f"  stopped after {args.minutes:g} minutes (--minutes), short of "
                  f"{args.requests} requests", flush=True)
            break
        finished = subprocess.run(command, capture_output=True, text=True)
        if finished.returncode:
            raise RuntimeError(f"wrk failed: {finished.stderr or finished.stdout}")
        figures, counted = wrk_figures(finished.stdout)
        for status, count in counted.items():
            statuses[status] = statuses.get(status, 0) + count
        answered += sum(counted.values())
        socket_errors += int(figures["socket_errors"])
        if workers(server.process.pid) != pids:
            raise RuntimeError("a worker was replaced during the run (it died or was "
                               "restarted): its memory cannot be followed")
        now = {pid: rss_mb(pid) for pid in pids}
        for pid, mb in now.items():
            largest[pid] = max(largest[pid], mb)
        samples.append((answered, now))
        print(f"  after {answered:7d} requests ({sum(counted.values()) / figures['seconds']:6.0f}"
              f" req/s, p99 {figures['p99_ms']:6.1f} ms): "
              + ", ".join(f"{mb:6.1f} MB" for mb in now.values())
              + "  [" + ", ".join(f"{status}: {count}" for status, count
                                  in sorted(counted.items())) + "]", flush=True)
    seconds = timer.perf_counter() - began
    cpu = server_cpu(server.process.pid) - cpu_before
    return (start, samples, largest, statuses, socket_errors, answered / seconds, cpu,
            answered, args.requests)


def report(database, share, kinds, start, samples, largest, statuses, socket_errors,
           rate, cpu, answered, wanted):
    end = samples[-1][1]
    half = next(now for count, now in samples if count >= answered / 2)
    print(f"\n{database}: {answered} requests over {kinds} different URLs (calendar booked "
          f"to {share:.0%}), {rate:.0f} req/s on average, server CPU "
          f"{cpu * 1000 / answered:.2f} ms a request; answers "
          + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
          + f"; socket errors {socket_errors}")
    print(f"  {'worker':>8}{'start MB':>10}{'half-way MB':>13}{'end MB':>9}{'largest MB':>12}")
    for pid in start:
        print(f"  {pid:>8}{start[pid]:10.1f}{half[pid]:13.1f}{end[pid]:9.1f}"
              f"{largest[pid]:12.1f}")
    worst = max(end.values())
    errors = socket_errors + sum(c for status, c in statuses.items() if status != 200)
    for text, met in (
        (f"{wanted} requests made (made {answered})", answered >= wanted),
        (f"each worker under {GOAL_MB} MB after {answered} requests (the largest is "
         f"{worst:.1f} MB)", worst < GOAL_MB),
        (f"every answer 200, no socket errors (other answers and errors: {errors})",
         errors == 0),
    ):
        print(f"  {'PASS' if met else 'MISS'}  {text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"),
                        default="sqlite")
    parser.add_argument("--postgres-url",
                        default="postgresql://postgres@127.0.0.1:5432/vuoro_load")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--stretch", type=int, default=15, help="seconds of each wrk run")
    parser.add_argument("--minutes", type=float, default=None,
                        help="stop after this long even if short of --requests (a busy "
                             "machine); the report says how many were made")
    args = parser.parse_args()
    binary = find_wrk()
    print(f"memory: gunicorn 2 workers x 4 threads; wrk {booking_load.THREADS} threads, "
          f"{CONNECTIONS} connections, until {args.requests} requests")
    print(f"machine: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for database in (("sqlite", "postgres") if args.database == "both" else (args.database,)):
        print(f"\n{database}:")
        run(database, args, binary)


if __name__ == "__main__":
    main()
