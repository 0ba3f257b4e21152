"""/healthz: what a load balancer or an uptime monitor reads; no personal data in it."""

import json
from datetime import UTC, datetime, timedelta

import models
import worker
from engines import clock
from models.messages import outbox
from models.messages.outbox import OutboxMessage


def health(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.text), response


def test_a_healthy_site_answers_200_with_counts_and_times_only(client, shop):
    with models.db.connection_context():
        outbox.add(outbox.BOOKING_CONFIRMED, "booking:1:1", booking_id=1)
    status, report, response = health(client)
    assert status == 200 and report["ok"] and report["problems"] == []
    assert report["migrations_pending"] == 0
    assert report["outbox"]["due"] == 1
    assert set(report["duties"]) == {duty.name for duty in worker.DUTIES}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert "@" not in response.text and "Meikäläinen" not in response.text


def test_mail_waiting_long_means_no_worker_is_sending(client, shop):
    with models.db.connection_context():
        outbox.add(outbox.BOOKING_CONFIRMED, "booking:1:1", booking_id=1)
        OutboxMessage.update(due_at=clock.utc_now() - timedelta(hours=1)).execute()
    status, report, _ = health(client)
    assert status == 503 and report["problems"] == ["outbox late"]
    assert report["outbox"]["oldest_due_seconds"] >= 3600


def test_a_failed_or_late_duty_is_a_problem(app, client, shop):
    def broken(now):
        raise RuntimeError("disk full")

    with app.app_context():
        worker.run_duties([worker.Duty("retention", timedelta(days=1), broken)],
                          datetime.now(UTC))
    assert health(client)[1]["problems"] == ["retention failed"]
    with app.app_context():
        worker.run_duties([worker.DUTY_BY_NAME["reminders"]],
                          datetime.now(UTC) - timedelta(minutes=5))
    assert "reminders late" in health(client)[1]["problems"]


def test_a_migration_not_applied_is_a_problem(client, shop):
    mark = models.db.obj.param
    with models.db.connection_context():
        [(name, applied)] = models.db.execute_sql(
            "SELECT name, applied FROM schema_migration ORDER BY name DESC LIMIT 1").fetchall()
        models.db.execute_sql(f"DELETE FROM schema_migration WHERE name = {mark}", (name,))
    try:
        status, report, _ = health(client)
        assert status == 503 and report["migrations_pending"] == 1
    finally:  # the PostgreSQL test database is kept from test to test
        with models.db.connection_context():
            models.db.execute_sql(
                f"INSERT INTO schema_migration (name, applied) VALUES ({mark}, {mark})",
                (name, applied))
