"""The site's own visit statistics: what is counted on the server without consent, the
booking funnel, the consented script's reports and their roll-up, and what is left in
the database afterwards."""

import gzip
import re
from datetime import UTC, datetime, timedelta

import pytest
from support import CLASSIC_60, HTMX, ROOT, form_fields, next_weekday
from test_booking_http import customer, start_param

import models
import worker
from engines.clock import HELSINKI
from models import duties, schema
from models.analytics import counts, funnel, settings, visits
from models.analytics.counts import DayTotals, PageCount

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
ADDRESS = "203.0.113.77"


def counted(model):
    with models.db.connection_context():
        return {row.value: row.count for row in model.select()}


def steps():
    with models.db.connection_context():
        found = {}
        for row in funnel.FunnelCount.select():
            found[row.step] = found.get(row.step, 0) + row.count
        return found


def visitor(app, agent=FIREFOX, address=ADDRESS):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address})
    return client


def test_a_page_view_is_counted_in_each_dimension_on_its_own(app, shop):
    client = visitor(app, IPHONE)
    client.get("/?utm_source=news&utm_medium=email&utm_campaign=spring", headers={
        "Referer": "https://www.example.org/list?id=5", "Accept-Language": "sv-FI,fi;q=0.8"})
    assert counted(counts.PageCount) == {"/": 1}
    assert counted(counts.ReferrerCount) == {"www.example.org": 1}
    assert counted(counts.CampaignCount) == {"news / email / spring": 1}
    assert counted(counts.ChannelCount) == {"mobile_browser": 1}
    assert counted(counts.BrowserCount) == {"Mobile Safari 17": 1}
    assert counted(counts.SystemCount) == {"iOS": 1}
    assert counted(counts.DeviceClassCount) == {"phone": 1}
    assert counted(counts.DeviceModelCount) == {"Apple iPhone": 1}
    assert counted(counts.LanguageCount) == {"sv": 1}


def test_robots_fragments_prefetches_and_the_back_office_are_not_counted(app, shop,
                                                                        owner_client):
    visitor(app, GOOGLEBOT).get("/")
    visitor(app, "curl/8.5.0").get("/")
    client = visitor(app)
    client.get("/book/2", headers=HTMX)
    client.get("/", headers={"Sec-Purpose": "prefetch"})
    client.get("/static/css/site.css")
    client.get("/no-such-page")
    owner_client.get("/staff/calendar/")
    assert counted(counts.PageCount) == {}
    client.get("/book/2", headers={**HTMX, "HX-Boosted": "true"})
    assert counted(counts.PageCount) == {"/book/2": 1}


def test_a_links_secret_is_never_part_of_a_page_name(app, shop):
    client = visitor(app)
    fields = form_fields(client.get(f"/book/{CLASSIC_60}/details", query_string={
        "staff": "any", "start": start_param(next_weekday(1), 10)}).text)
    booked = client.post(f"/book/{CLASSIC_60}/details", data={**fields, **customer()})
    client.get(booked.headers["Location"])
    pages = counted(counts.PageCount)
    assert pages == {f"/book/{CLASSIC_60}/details": 1, "/booking/<token>": 1}


def test_the_funnel_counts_each_step_of_a_booking_and_the_taken_answer(app, shop):
    first, second = visitor(app), visitor(app, IPHONE)
    start = start_param(next_weekday(3), 9)
    for client in (first, second):
        client.get("/")
        client.get(f"/book/{CLASSIC_60}")
    forms = [form_fields(client.get(f"/book/{CLASSIC_60}/details", query_string={
        "staff": "1", "start": start}).text) for client in (first, second)]
    assert first.post(f"/book/{CLASSIC_60}/details",
                      data={**forms[0], **customer()}).status_code == 303
    assert second.post(f"/book/{CLASSIC_60}/details", data={
        **forms[1], **customer(email="toinen@example.com")}).status_code == 409
    assert steps() == {funnel.HOME: 2, funnel.SERVICE: 2, funnel.TIME: 2,
                       funnel.DETAILS: 2, funnel.BOOKED: 1, funnel.TAKEN: 1}


def hit(at, visitor_key, kind, path, screen="", engaged_ms=0):
    return visits.Hit(visitor=visitor_key, at=at, kind=kind, path=path, screen=screen,
                      engaged_ms=engaged_ms)


def test_the_roll_up_is_exact_against_a_replay_of_known_traffic(app, clock):
    day = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    view, leave = visits.VIEW, visits.LEAVE
    replay = [
        # A: two pages, 20 s in front, then back after an hour: a second visit (a bounce).
        hit(day, "a", view, "/", "≤ 600"),
        hit(day + timedelta(seconds=30), "a", view, "/book", "≤ 600"),
        hit(day + timedelta(seconds=50), "a", leave, "/book", engaged_ms=20_000),
        hit(day + timedelta(hours=1), "a", view, "/book", "≤ 600"),
        # B: one page, 12 s in front: a bounce, but engaged.
        hit(day + timedelta(minutes=5), "b", view, "/contact", "> 1920"),
        hit(day + timedelta(minutes=5, seconds=12), "b", leave, "/contact",
            engaged_ms=12_000),
    ]
    with models.db.connection_context():
        for row in replay:
            row.at = row.at.replace(tzinfo=None)
            row.save()
        clock.freeze(day + timedelta(days=1))
        assert visits.roll_up() == 6
        totals = DayTotals.get()
        assert (totals.day, totals.visitors, totals.visits, totals.views, totals.bounces,
                totals.engaged_visits, totals.duration_seconds, totals.engaged_seconds) == (
            day.date(), 2, 3, 4, 2, 2, 50 + 12, 32)
        assert visits.Hit.select().count() == 0
    assert counted(counts.EntryCount) == {"/": 1, "/book": 1, "/contact": 1}
    assert counted(counts.ExitCount) == {"/book": 2, "/contact": 1}
    assert counted(counts.FlowCount) == {"/ → /book": 1}
    assert counted(counts.ScreenCount) == {"≤ 600": 3, "> 1920": 1}


def test_the_visitors_hash_changes_across_midnight_in_helsinki(app, clock):
    before = datetime(2026, 6, 1, 23, 59, tzinfo=HELSINKI)
    with models.db.connection_context():
        clock.freeze(before)
        first = visits.visitor_hash(ADDRESS, FIREFOX)
        assert visits.visitor_hash(ADDRESS, FIREFOX) == first
        clock.freeze(before + timedelta(minutes=2))
        assert visits.visitor_hash(ADDRESS, FIREFOX) != first


def consenting(app, agent=FIREFOX):
    with models.db.connection_context():
        settings.save(25, False, ask_consent=True)
    client = visitor(app, agent)
    client.post("/cookies", data={"choice": "accept", "next": "/"})
    return client


def script_of(page):
    found = re.search(r'<script src="[^"]*analytics\.js[^"]*" defer data-page="([^"]*)" '
                      r'data-to="([^"]*)"', page)
    return found and found.groups()


def reported(client, page):
    """What the script does on `page`: report the view, then the time in front."""
    name, to = script_of(page)
    client.post(to, data={"k": "v", "p": name, "w": "1280"})
    client.post(to, data={"k": "l", "p": name, "t": "15000"})


def test_the_two_levels_give_the_same_page_views_for_consenting_visitors(app, shop, clock):
    client = consenting(app)
    for path in ("/", f"/book/{CLASSIC_60}", "/contact", "/"):
        reported(client, client.get(path).text)
    with models.db.connection_context():
        clock.shift(days=1)
        visits.roll_up()
        assert DayTotals.get().views == sum(counted(PageCount).values()) == 4
    assert counted(counts.EntryCount) == {"/": 1}
    assert counted(counts.FlowCount) == {"/ → /book/2": 1, "/book/2 → /contact": 1,
                                         "/contact → /": 1}


def test_nothing_is_measured_before_consent_or_after_withdrawal(app, shop):
    with models.db.connection_context():
        settings.save(25, False, ask_consent=True)
    client = visitor(app)
    page = client.get("/").text
    assert 'id="cookie-banner"' in page and script_of(page) is None
    client.post("/statistics/report", data={"k": "v", "p": "/"})
    client.post("/cookies", data={"choice": "accept", "next": "/"})
    assert script_of(client.get("/").text)
    client.post("/cookies", data={"choice": "reject", "next": "/"})
    assert script_of(client.get("/").text) is None
    client.post("/statistics/report", data={"k": "v", "p": "/"})
    with models.db.connection_context():
        assert visits.Hit.select().count() == 0


@pytest.mark.parametrize("header", [{"Sec-GPC": "1"}, {"DNT": "1"}])
def test_global_privacy_control_and_do_not_track_mean_no(app, shop, header):
    client = consenting(app)
    client.environ_base.update({"HTTP_" + name.upper().replace("-", "_"): value
                                for name, value in header.items()})
    assert script_of(client.get("/").text) is None
    client.post("/statistics/report", data={"k": "v", "p": "/"})
    with models.db.connection_context():
        assert visits.Hit.select().count() == 0
    assert 'id="cookie-banner"' not in visitor(app).get("/", headers=header).text


def test_a_dump_after_days_of_traffic_holds_no_address_no_old_salt_no_old_row(
        app, shop, clock):
    client = consenting(app)
    start = datetime.now(UTC)
    for hours in range(0, 72, 5):
        clock.freeze(start + timedelta(hours=hours))
        reported(client, client.get("/").text)
        if hours % 10 == 0:
            with models.db.connection_context():
                visits.roll_up()  # as the worker does
    moment = start + timedelta(hours=70)
    with models.db.connection_context():
        dump = "\n".join(str(list(model.select().tuples())) for model in schema.MODELS)
        salts = [salt.day for salt in visits.Salt.select()]
        oldest = min(row.at for row in visits.Hit.select())
    assert ADDRESS not in dump and ADDRESS.replace(".", "") not in dump
    assert all(day >= (moment.astimezone(HELSINKI) - timedelta(hours=48)).date()
               for day in salts)
    assert oldest.replace(tzinfo=UTC) > moment - timedelta(hours=48)


def test_counts_older_than_the_owners_period_are_deleted(app, clock):
    with models.db.connection_context():
        settings.save(3, False, False)
        for day in (datetime(2026, 1, 5).date(), datetime(2026, 4, 20).date()):
            counts.count_view({"page": "/"}, day=day)
        clock.freeze(datetime(2026, 5, 1, 12, tzinfo=UTC))
        visits.roll_up()
        assert [row.day for row in PageCount.select()] == [datetime(2026, 4, 20).date()]
        with pytest.raises(settings.OutOfLimits):
            settings.save(26, False, False)


def test_the_script_is_at_most_a_kilobyte_compressed():
    script = (ROOT / "static" / "js" / "analytics.js").read_bytes()
    assert len(gzip.compress(script, 9)) <= 1024
    assert b"cookie" not in script.lower().replace(b"no cookies", b"")
    assert b"localStorage" not in script and b"sessionStorage" not in script


def test_without_the_owners_choice_nobody_is_asked(app, shop):
    page = visitor(app).get("/").text
    assert 'id="cookie-banner"' not in page and script_of(page) is None


def test_the_command_and_the_worker_roll_up(app, runner, clock):
    moment = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    with models.db.connection_context():
        clock.freeze(moment)
        visits.record(ADDRESS, FIREFOX, visits.VIEW, "/", width=390)
        clock.freeze(moment + timedelta(days=1))
    result = runner.invoke(args=["analytics", "rollup"])
    assert "Tilastot: 1 merkintä aiempien päivien käynneistä on lisätty" in result.output
    with models.db.connection_context():
        assert DayTotals.get().views == 1
        visits.record(ADDRESS, FIREFOX, visits.VIEW, "/", width=390)
    clock.freeze(moment + timedelta(days=2))
    # The worker runs it as one of its duties, given the moment as every duty is.
    worker.run_duties([worker.DUTY_BY_NAME["analytics"]], moment + timedelta(days=2))
    with models.db.connection_context():
        assert sum(day.views for day in DayTotals.select()) == 2
        assert duties.last_run("analytics").last_result == "1"


def test_a_busy_process_writes_its_page_views_together(app, shop):
    app.config["ANALYTICS_WRITE_SECONDS"] = 3600
    client = visitor(app)
    for _ in range(3):
        client.get("/")
    assert counted(PageCount) == {}
    with models.db.connection_context():
        # page, channel, browser, system, device class, and the funnel's home step
        assert counts.PENDING.write() == 3 * 6
    assert counted(PageCount) == {"/": 3}
    assert steps() == {funnel.HOME: 3}


def summed_by_day(model, first, last):
    """A breakdown as the per-day counts alone give it."""
    found = {}
    for row in model.select().where(model.day.between(first, last)):
        found[row.value] = found.get(row.value, 0) + row.count
    return sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))


def test_month_roll_up_gives_the_dashboard_exactly_the_sums_of_the_days(app, clock):
    from datetime import date

    from models.analytics import months, reports

    clock.freeze(datetime(2026, 5, 10, 9, tzinfo=UTC))
    with models.db.connection_context():
        day = date(2025, 12, 20)
        while day < date(2026, 5, 10):
            # One view a day of a flow seen only on odd days: fewer than 3 on any day,
            # many in a month, so "< 3" must be applied to the sum, not the days.
            counts.add(counts.FlowCount, day, "/ → /book", 1 + day.day % 3)
            if day.day % 2:
                counts.add(counts.FlowCount, day, "/ → /contact", 1)
            counts.add(counts.PageCount, day, f"/page/{day.day % 7}", day.month)
            day += timedelta(days=1)
        visits.roll_up()
        rolled = [row.month for row in months.MonthRolled.select().order_by(
            months.MonthRolled.month)]
        # Every month over that holds counts; not May.
        assert rolled == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1),
                          date(2026, 3, 1), date(2026, 4, 1)]
        for chosen in (reports.Range(date(2025, 12, 25), date(2026, 5, 9)),
                       reports.Range(date(2026, 1, 1), date(2026, 3, 31)),
                       reports.Range(date(2026, 2, 14), date(2026, 3, 2)),
                       reports.named_range(reports.YEAR)):
            for name, model in (("flow", counts.FlowCount), ("page", counts.PageCount)):
                assert reports.breakdown(name, chosen, limit=50) == summed_by_day(
                    model, chosen.first, chosen.last), (name, chosen)
            assert reports.totals(chosen)["page_views"] == sum(
                number for _, number in summed_by_day(PageCount, chosen.first, chosen.last))
        whole = reports.Range(date(2026, 2, 1), date(2026, 2, 28))
        assert dict(reports.breakdown("flow", whole))["/ → /contact"] == 14


def test_a_late_count_into_the_last_month_is_rolled_up_again(app, clock):
    from datetime import date

    from models.analytics import months, reports

    clock.freeze(datetime(2026, 5, 1, 9, tzinfo=UTC))
    with models.db.connection_context():
        counts.add(counts.PageCount, date(2026, 4, 3), "/", 5)
        visits.roll_up()
        counts.add(counts.PageCount, date(2026, 4, 30), "/", 2)
        visits.roll_up()
        april = reports.Range(date(2026, 4, 1), date(2026, 4, 30))
        assert months.whole_months(april.first, april.last) == [date(2026, 4, 1)]
        assert reports.breakdown("page", april) == [("/", 7)]


def test_months_go_with_their_days_past_the_owners_period(app, clock):
    from datetime import date

    from models.analytics import months

    with models.db.connection_context():
        for day in (date(2026, 1, 5), date(2026, 2, 5), date(2026, 4, 20)):
            counts.add(counts.PageCount, day, "/", 4)
        clock.freeze(datetime(2026, 5, 1, 12, tzinfo=UTC))
        page_months = months.MONTHLY["page"]
        visits.roll_up()
        assert [row.month for row in page_months.select().order_by(page_months.month)] == [
            date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1)]
        settings.save(3, False, False)
        visits.roll_up()
        # Three months back from 1 May is 1 February: January goes, February stays.
        assert [row.month for row in page_months.select().order_by(page_months.month)] == [
            date(2026, 2, 1), date(2026, 4, 1)]
        assert date(2026, 1, 1) not in {row.month for row in months.MonthRolled.select()}


def test_counts_written_into_an_empty_month_after_its_roll_up_are_read(app, clock):
    from datetime import date

    from models.analytics import reports

    clock.freeze(datetime(2026, 5, 1, 9, tzinfo=UTC))
    with models.db.connection_context():
        visits.roll_up()
        counts.add(counts.PageCount, date(2026, 2, 10), "/", 4)
        visits.roll_up()
        assert reports.breakdown("page", reports.Range(date(2026, 1, 1),
                                                       date(2026, 4, 30))) == [("/", 4)]
