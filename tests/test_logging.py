"""Logs as JSON lines without personal data, with a request id: the app behind gunicorn
(its access and app lines), and the worker."""

import http.client
import io
import json
import logging
import os
import subprocess
import sys
import urllib.parse

import pytest
from support import ROOT, Server, free_port

import models
from web.logging import JsonLines, configure, request_id_of, safe_path

PERSONAL = ("matti", "meikäläinen", "@asiakas.example", "+358", "050 123")


def lines_of(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_log_line_is_json_with_e_mail_and_phone_numbers_taken_out():
    stream = io.StringIO()
    configure(stream=stream)
    try:
        logging.getLogger("vuoro.test").warning(
            "sending to %s at %s failed", "matti@asiakas.example", "+358 50 123 4567",
            extra={"message_id": 7})
    finally:
        configure()
    [line] = lines_of(stream.getvalue())
    assert line["level"] == "warning" and line["logger"] == "vuoro.test"
    assert line["message"] == "sending to [e-mail] at [phone] failed"
    assert line["message_id"] == 7 and line["time"].endswith("Z")


def test_an_error_is_logged_with_its_traceback_scrubbed():
    formatter = JsonLines()
    try:
        raise ValueError("Key (email)=(maija@asiakas.example) already exists")
    except ValueError:
        record = logging.LogRecord("vuoro", logging.ERROR, __file__, 1, "failed", (),
                                   sys.exc_info())
    line = json.loads(formatter.format(record))
    assert "ValueError" in line["error"] and "maija" not in line["error"]


@pytest.mark.parametrize(("path", "logged"), [
    ("/staff/customers/?q=Matti+Meik%C3%A4l%C3%A4inen", "/staff/customers/"),
    ("/booking/IjEyMyI.aZ3kQ9.x8Jd0_kLmNoPqRsTuV/cancel", "/booking/…/cancel"),
    ("/my-data/view/c2VjcmV0LWtleS1vZi1hLXZpZXc", "/my-data/view/…"),
    ("/staff/records/retention-periods", "/staff/records/retention-periods"),
    ("/book/2/details", "/book/2/details"),
])
def test_paths_are_logged_without_queries_and_without_links_secrets(path, logged):
    assert safe_path(path) == logged


def test_the_proxys_request_id_is_kept_and_echoed_else_one_is_made(client):
    assert client.get("/health", headers={"X-Request-Id": "caddy-4f2a"}).headers[
        "X-Request-Id"] == "caddy-4f2a"
    made = client.get("/health").headers["X-Request-Id"]
    assert len(made) == 32 and made != client.get("/health").headers["X-Request-Id"]
    assert request_id_of("<script>") != "<script>"
    assert request_id_of("x" * 65) != "x" * 65


@pytest.mark.server
def test_gunicorn_logs_json_lines_without_personal_data(shop, database_url, tmp_path):
    models.db.obj.close_all()
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = Server(database_url, workers=1, log=log)
        try:
            query = urllib.parse.urlencode({"q": "Matti Meikäläinen 050 123 4567"})
            for path, headers in ((f"/staff/customers/?{query}", {}),
                                  ("/health", {"X-Request-Id": "proxy-id-1"}),
                                  ("/booking/IjEyMyI.aZ3kQ9.x8Jd0_kLmNoPqRsTuV", {})):
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                connection.request("GET", path, headers=headers)
                connection.getresponse().read()
                connection.close()
        finally:
            server.stop()
    text = log_path.read_text()
    lines = lines_of(text)  # every line is JSON
    assert not [word for word in PERSONAL if word in text.lower()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    paths = [line["path"] for line in access]
    assert {"/staff/customers/", "/booking/…"} <= set(paths)
    assert not [path for path in paths if "?" in path]
    [proxied] = [line for line in access if line["request_id"] == "proxy-id-1"]
    assert proxied["path"] == "/health" and proxied["status"] == 200
    assert all(len(line["request_id"]) == 32 for line in access if line is not proxied)


def test_the_worker_logs_json_lines_without_the_recipients_address(shop, database_url):
    """A confirmation to Matti that the mail server refuses: the worker's warning says
    which message failed and why, without Matti's address."""
    from models.booking.bookings import Booking
    from models.messages import outbox

    with models.db.connection_context():
        outbox.booking_event(Booking.get_by_id(1), outbox.BOOKING_CONFIRMED)
    models.db.obj.close_all()
    env = dict(os.environ, VUORO_DATABASE_URL=database_url, VUORO_SECRET_KEY="test",
               VUORO_DEVELOPMENT="1", VUORO_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "worker", "--once"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=True)
    lines = lines_of(done.stderr)
    assert any(line["logger"] == "worker" and "failed" in line["message"] for line in lines)
    assert not [word for word in PERSONAL if word in done.stderr.lower()]


def test_a_gunicorn_worker_sets_aside_what_the_app_loaded_from_the_garbage_collector():
    """gunicorn.conf.py's post_worker_init freezes the objects the worker has loaded,
    so that no full collection walks over them while requests wait (benchmarks show
    the pause it spared)."""
    import gc
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
