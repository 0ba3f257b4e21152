"""The owner's statistics dashboard: what it shows, to whom, and its settings."""

from datetime import timedelta

from support import post

import models
from engines.clock import today
from models.analytics import counts, funnel, settings
from models.analytics.counts import count_view
from models.analytics.demo import add_demo_traffic


def traffic(days=10, views_a_day=5):
    with models.db.connection_context():
        for back in range(days):
            day = today() - timedelta(days=back)
            for number in range(views_a_day):
                count_view({"page": "/", "browser": "Firefox 120",
                            "device_model": "Apple iPhone" if number == 0 else ""}, day=day)
            for step in funnel.STEPS:
                funnel.count_step(step, "browser", "", day=day)


def test_the_owner_sees_the_counts_with_small_ones_hidden(owner_client):
    traffic()
    with models.db.connection_context():
        count_view({"page": "/contact"})
    page = owner_client.get("/staff/analytics/?range=7d")
    assert page.status_code == 200
    assert "<svg" in page.text and "<table" in page.text
    assert ">36<" in page.text  # seven days of five page views, and one more
    assert "/contact</th><td class=\"number\">&lt; 3<" in page.text
    assert 'href="/staff/analytics/" aria-current="page"' in page.text


def test_every_range_compares_with_the_one_before(owner_client):
    traffic(days=20)
    for name in ("today", "7d", "30d", "month", "12m"):
        assert owner_client.get(f"/staff/analytics/?range={name}").status_code == 200
    page = owner_client.get("/staff/analytics/?range=custom&first=2026-01-01&last=2026-01-31")
    assert page.status_code == 200 and "1.12.2025" in page.text


def test_a_custom_range_that_cannot_be_read_gets_a_message_at_the_field(owner_client):
    page = owner_client.get("/staff/analytics/?range=custom&first=31.1.2026&last=2026-01-01")
    assert page.status_code == 422
    assert 'value="31.1.2026"' in page.text
    assert 'aria-invalid="true"' in page.text


def test_staff_see_the_statistics_only_when_the_owner_allows(staff_client, owner_client):
    assert staff_client.get("/staff/analytics/").status_code == 403
    assert "/staff/analytics/" not in staff_client.get("/staff/calendar/").text
    response = post(owner_client, "/staff/analytics/settings", {
        "keep_months": "13", "staff_may_see": "y"})
    assert response.status_code == 303
    assert staff_client.get("/staff/analytics/").status_code == 200
    assert "/staff/analytics/" in staff_client.get("/staff/calendar/").text
    assert post(staff_client, "/staff/analytics/settings",
                {"keep_months": "25"}).status_code == 403
    with models.db.connection_context():
        assert settings.current().keep_months == 13


def test_a_period_outside_the_limits_is_refused_at_the_field(owner_client):
    response = post(owner_client, "/staff/analytics/settings", {"keep_months": "40"})
    assert response.status_code == 422
    assert 'value="40"' in response.text
    with models.db.connection_context():
        assert settings.current().keep_months == settings.KEEP_MONTHS


def test_any_breakdown_downloads_as_csv_day_by_day(owner_client):
    traffic(days=2)
    response = owner_client.get("/staff/analytics/browser.csv?range=7d")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 3 and lines[1].endswith(";Firefox 120;5")
    assert owner_client.get("/staff/analytics/nothing.csv").status_code == 404


def test_the_demo_shows_weeks_of_traffic_and_its_removal_takes_them(shop, runner):
    with models.db.connection_context():
        assert add_demo_traffic()  # as `flask demo` does, after the business
        assert not add_demo_traffic()
        days = {row.day for row in counts.PageCount.select()}
        assert len(days) == 42 and today() not in days
        assert funnel.FunnelCount.select().exists()
        count_view({"page": "/"})  # a real visit while the demo runs
    result = runner.invoke(args=["demo", "--remove"])
    assert result.exit_code == 0, result.output
    with models.db.connection_context():
        assert not counts.PageCount.select().exists()
        assert not funnel.FunnelCount.select().exists()
