"""What the site's own statistics cost: the counting added to a page request, and a
year of a busy small site (1 000 page views a day) ingested, rolled up and read by the
owner's dashboard.

Run from the repository root:
  .venv/bin/python benchmarks/analytics.py [--requests 400] [--postgres URL]

  counting   GET / (the home page) with the counting hook, against the same page of the
             same app with the hook taken out, interleaved in one run: the median of
             each, and what the counting adds (the difference of the medians)
  ingest     one day of 1 000 page views through the real path: the server's counting
             (models.analytics.counts.count_view, one upsert per dimension), and the
             consented script's reports of 450 of them (a view and a leave each)
  roll-up    that day's raw rows rolled up into the per-day counts (visits.roll_up)
  year       364 more days of counts as that day's (long tails of pages, referrers,
             device models and flows), written directly, and its months over rolled
             up into the per-month counts (months.roll_up_months); then every dashboard query
             over 12 months, 30 days and today (median of 5), and the whole dashboard
             page

On SQLite in a temporary file, and on PostgreSQL too with --postgres (a database that
is emptied: every table is dropped first).
"""

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from app import create_app  # noqa: E402
from engines import clock  # noqa: E402
from models import demo, schema  # noqa: E402
from models.analytics import counts, funnel, months, reports, visits  # noqa: E402
from models.analytics.counts import DayTotals  # noqa: E402
from web import analytics  # noqa: E402

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
VIEWS_A_DAY = 1_000
CONSENTING = 450
LIMIT_MS = 100


def app_for(url, instance):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "DEVELOPMENT": True})
    app.instance_path = str(instance)
    return app


def fresh(url):
    models.open_database(url)
    with models.db.connection_context():
        if not models.is_sqlite():
            models.db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    schema.migrate()
    with models.db.connection_context():
        demo.add_demo_business()


def median_us(samples):
    return statistics.median(samples) * 1e6


def counting_cost(url, instance, requests):
    counted = app_for(url, instance)
    plain = app_for(url, instance)
    plain.after_request_funcs[None].remove(analytics.count_request)
    clients = {"with": counted.test_client(), "without": plain.test_client()}
    for client in clients.values():
        client.environ_base["HTTP_USER_AGENT"] = FIREFOX
        client.get("/")
    samples = {"with": [], "without": []}
    for _ in range(requests):
        for name, client in clients.items():
            started = time.perf_counter()
            client.get("/", headers={"Referer": "https://www.google.com/"})
            samples[name].append(time.perf_counter() - started)
    return {name: median_us(found) for name, found in samples.items()}


def ingest_one_day(day_moment):
    rng = random.Random(15)
    pages = [f"/book/{number}" for number in range(1, 8)] + ["/", "/book", "/contact"]
    started = time.perf_counter()
    with models.db.connection_context():
        for number in range(VIEWS_A_DAY):
            counts.count_view({
                "page": rng.choice(pages), "referrer": rng.choice(("", "www.google.com")),
                "channel": "browser", "browser": "Firefox 133", "system": "Linux",
                "device_class": "desktop", "device_model": f"Model {number % 90}",
                "language": "fi"}, day=day_moment.date())
    server = time.perf_counter() - started
    started = time.perf_counter()
    with models.db.connection_context():
        clock.CLOCK.freeze(day_moment)
        for number in range(CONSENTING):
            clock.CLOCK.freeze(day_moment + timedelta(seconds=number * 60))
            address = f"198.51.100.{number % 200}"
            page = rng.choice(pages)
            visits.record(address, FIREFOX, visits.VIEW, page, width=rng.choice((390, 1440)))
            visits.record(address, FIREFOX, visits.LEAVE, page, engaged_ms=15_000)
    script = time.perf_counter() - started
    with models.db.connection_context():
        clock.CLOCK.freeze(day_moment + timedelta(days=1))
        started = time.perf_counter()
        rolled = visits.roll_up()
        roll_up = time.perf_counter() - started
    return server, script, roll_up, rolled


def fill_year(first_day):
    """364 days before `first_day` with counts as a busy small site's."""
    rng = random.Random(16)
    tails = {"page": 60, "referrer": 40, "campaign": 8, "channel": 3, "browser": 25,
             "system": 6, "device_class": 3, "device_model": 120, "language": 6,
             "screen": 4, "entry": 30, "exit": 30, "flow": 200}
    with models.db.connection_context():
        for back in range(1, 365):
            day = first_day - timedelta(days=back)
            with models.db.atomic():
                for name, distinct in tails.items():
                    counts.DIMENSIONS[name].insert_many(
                        [{"day": day, "value": f"{name} {number}",
                          "count": rng.randint(1, 60)} for number in range(distinct)]
                    ).execute()
                DayTotals.insert(day=day, visitors=150, visits=170, views=450, bounces=60,
                                 engaged_visits=100, duration_seconds=17_000,
                                 engaged_seconds=9_000).execute()
                funnel.FunnelCount.insert_many(
                    [{"day": day, "step": step, "channel": channel, "campaign": campaign,
                      "count": rng.randint(1, 90)}
                     for step in funnel.STEPS + funnel.OTHER_EVENTS
                     for channel in ("browser", "mobile_browser", "app")
                     for campaign in ("", "newsletter / email / spring")]).execute()


def dashboard_queries(chosen):
    queries = {"totals": lambda: reports.totals(chosen),
               "daily views": lambda: reports.daily_views(chosen),
               "funnel": lambda: reports.funnel_steps(chosen),
               "funnel by channel": lambda: reports.funnel_by("channel", chosen),
               "funnel by campaign": lambda: reports.funnel_by("campaign", chosen)}
    for name in counts.DIMENSIONS:
        queries[f"breakdown {name}"] = lambda name=name: reports.breakdown(name, chosen)
    found = {}
    with models.db.connection_context():
        for name, query in queries.items():
            samples = []
            for _ in range(5):
                started = time.perf_counter()
                query()
                samples.append(time.perf_counter() - started)
            found[name] = statistics.median(samples) * 1000
    return found


def run(label, url, instance, requests):
    print(f"\n== {label}")
    fresh(url)
    cost = counting_cost(url, instance, requests)
    print(f"GET / median: {cost['with']:.0f} µs with counting, {cost['without']:.0f} µs "
          f"without; counting adds {cost['with'] - cost['without']:.0f} µs "
          f"(ratio {cost['with'] / cost['without']:.2f})")
    today_moment = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    yesterday = today_moment - timedelta(days=1)
    server, script, roll_up, rolled = ingest_one_day(yesterday)
    print(f"one day ingested: {VIEWS_A_DAY} page views counted in {server:.2f} s "
          f"({server / VIEWS_A_DAY * 1e6:.0f} µs each); {2 * CONSENTING} script reports "
          f"in {script:.2f} s; roll-up of {rolled} raw rows {roll_up * 1000:.0f} ms")
    clock.CLOCK.reset()
    fill_year((yesterday - timedelta(days=0)).date())
    started = time.perf_counter()
    with models.db.connection_context():
        rolled = months.roll_up_months(clock.today(), clock.today() - timedelta(days=365))
    print(f"per-month roll-up of the year: {rolled} months in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")
    worst = 0.0
    for name in (reports.YEAR, reports.MONTH_30, reports.TODAY):
        timings = dashboard_queries(reports.named_range(name))
        slowest = max(timings, key=timings.get)
        worst = max(worst, timings[slowest])
        print(f"dashboard over {name}: {len(timings)} queries, "
              f"sum {sum(timings.values()):.1f} ms, slowest {slowest} "
              f"{timings[slowest]:.1f} ms")
    print(f"every dashboard query under {LIMIT_MS} ms: {'yes' if worst < LIMIT_MS else 'NO'} "
          f"(slowest {worst:.1f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--postgres", help="postgresql://… (its tables are dropped)")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="vuoro-analytics-"))
    try:
        run("SQLite", f"sqlite:///{folder / 'bench.db'}", folder / "instance",
            options.requests)
        if options.postgres:
            run("PostgreSQL", options.postgres, folder / "instance", options.requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
