"""E-mail through a real SMTP server (aiosmtpd): what arrives, to whom, in which language,
with a calendar file that is right across the DST change, and each message exactly once
however the sender is stopped or the server refuses."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar
from support import AINO, CLASSIC_60, ROOT, next_weekday, send, translated

import models
import worker
from engines.clock import HELSINKI, naive_utc
from models import demo
from models.accounts.users import User
from models.booking.bookings import CANCELLED, Booking
from models.booking.schedule import BookingRequest, book
from models.booking.staff_bookings import cancel_booking, move_booking
from models.business.catalogue import Service, StaffMember
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.customers import Customer, CustomerDetails
from web.tokens import link_token


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), HELSINKI)


def make_booking(app, start, language="fi", email="liisa@example.com", now=None,
                 key="key-1", name="Liisa Laine"):
    """A booking as the public form makes it; returns it and its link's token."""
    with app.test_request_context():
        token = link_token(key)
    with models.db.connection_context():
        booking = book(BookingRequest(
            service=Service.get_by_id(CLASSIC_60),
            staff=StaffMember.get_by_id(AINO),
            start=start,
            details=CustomerDetails(name, email, "+358407654321"),
            message="Niska jumissa",
            language=language,
            submission_key=key,
            token=token,
        ), now=now)
    return booking, token


def rows(**where):
    with models.db.connection_context():
        query = OutboxMessage.select().order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(query)


def text_of(message):
    return message.get_body(("plain",)).get_content()


def html_of(message):
    return message.get_body(("html",)).get_content()


def calendar_of(message):
    [attachment] = [part for part in message.iter_attachments()
                    if part.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_content())


@pytest.fixture
def owner_account(shop):
    with models.db.connection_context():
        return User.create(email="olli@hieronta.example", name="Olli", role="owner")


def test_booking_confirmation_arrives_in_the_customers_language(app, shop, mail_server):
    start = at(next_weekday(1), 10)
    booking, token = make_booking(app, start, language="sv")
    result = send(app)
    assert result.sent == 1
    [message] = mail_server.to("liisa@example.com")
    assert message["Content-Language"] == "sv"
    assert message["Subject"].startswith(translated("sv", "Booking confirmed: %(service)s, "
                                                    "%(when)s").split(":")[0])
    text, html = text_of(message), html_of(message)
    assert translated("sv", "Thank you for your booking. It is confirmed:") in text
    assert booking.display_reference in text and booking.display_reference in html
    assert f"http://127.0.0.1:5000/booking/{token}" in text
    assert f'href="http://127.0.0.1:5000/booking/{token}"' in html
    assert "Hyvän Olon Hieronta (demo)" in message["From"]
    # Nothing in the HTML loads from anywhere.
    assert not re.search(r'<img|src=|url\(|<link', html)


def test_confirmation_carries_a_calendar_file_in_helsinki_time(app, shop, mail_server):
    # Summer time begins on Sunday 28.3.2027 (Easter Day; Monday is a holiday too).
    tuesday = date(2027, 3, 30)
    start = at(tuesday, 10)
    make_booking(app, start, now=datetime(2027, 3, 20, 8, tzinfo=UTC))
    send(app, now=datetime(2027, 3, 20, 8, 1, tzinfo=UTC))
    [message] = mail_server.to("liisa@example.com")
    [event] = calendar_of(message).walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert event.decoded("dtstart").astimezone(UTC).hour == 7  # 10.00 EEST is 7.00 UTC
    assert str(event["dtstart"].params["TZID"]) == "Europe/Helsinki"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)


def test_manage_link_in_the_message_opens_the_booking(app, shop, mail_server):
    booking, _ = make_booking(app, at(next_weekday(1), 10))
    send(app)
    [message] = mail_server.to("liisa@example.com")
    link = re.search(r"http://127\.0\.0\.1:5000(/booking/\S+)", text_of(message)).group(1)
    page = app.test_client().get(link)
    assert page.status_code == 200 and booking.display_reference in page.text


def test_staff_hear_of_online_bookings_if_they_asked(app, shop, owner_account,
                                                     mail_server):
    with models.db.connection_context():
        User.create(email="eero@hieronta.example", name="Eero", role="staff",
                    staff_member=2)  # another calendar: not told
        User.create(email="quiet@hieronta.example", name="Hiljainen", role="owner",
                    notify_bookings=False)
    make_booking(app, at(next_weekday(1), 10))
    send(app)
    [notice] = mail_server.to("olli@hieronta.example")
    assert notice["Subject"].startswith(
        translated("fi", "New online booking: %(when)s, %(name)s").split(":")[0])
    assert notice["Subject"].endswith("Liisa Laine")
    assert "/staff/calendar/booking/" in text_of(notice)
    assert not mail_server.to("eero@hieronta.example")
    assert not mail_server.to("quiet@hieronta.example")


def test_staff_hear_in_the_business_language(app, shop, owner_account, mail_server):
    app.config["LANGUAGE"] = "sv"  # VUORO_LANGUAGE=sv
    make_booking(app, at(next_weekday(1), 10))
    send(app)
    [notice] = mail_server.to("olli@hieronta.example")
    assert notice["Subject"].startswith(
        translated("sv", "New online booking: %(when)s, %(name)s").split(":")[0])
    assert not notice["Subject"].startswith(
        translated("fi", "New online booking: %(when)s, %(name)s").split(":")[0])


def test_each_message_is_sent_once_however_often_the_sender_runs(app, shop, mail_server):
    make_booking(app, at(next_weekday(1), 10))
    assert send(app).sent == 1
    assert send(app).sent == 0
    assert len(mail_server.received) == 1


def test_a_resubmitted_booking_queues_one_confirmation(app, shop, mail_server):
    make_booking(app, at(next_weekday(1), 10))
    make_booking(app, at(next_weekday(1), 10))  # the same form sent again
    send(app)
    assert len(mail_server.to("liisa@example.com")) == 1


def test_refusing_server_keeps_the_booking_and_the_message_for_later(app, shop,
                                                                      mail_server):
    mail_server.refuse = "451 4.3.0 Try again later"
    booking, _ = make_booking(app, at(next_weekday(1), 10))
    now = datetime.now(UTC)
    result = send(app, now)
    assert result.failed == 1 and not mail_server.received
    [row] = rows()
    assert row.attempts == 1 and row.sent_at is None and "451" in row.last_error
    assert row.due_at > now.replace(tzinfo=None)  # waits before the next try
    assert send(app, now + timedelta(seconds=10)).sent == 0  # not yet
    mail_server.refuse = None
    assert send(app, now + timedelta(minutes=2)).sent == 1
    assert send(app, now + timedelta(hours=3)).sent == 0
    assert len(mail_server.received) == 1
    with models.db.connection_context():
        assert Booking.get_by_id(booking.id).status == "confirmed"


def test_server_down_leaves_messages_waiting(app, shop):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port_nobody_listens()}"
    make_booking(app, at(next_weekday(1), 10))
    assert send(app).failed == 1
    [row] = rows()
    assert row.sent_at is None and row.failed_at is None and row.last_error


def free_port_nobody_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_after_the_last_try_the_owner_is_shown_the_message(app, shop, owner_client,
                                                           mail_server):
    mail_server.refuse = "550 5.1.1 No such user"
    make_booking(app, at(next_weekday(1), 10))
    moment = datetime.now(UTC)
    for _ in range(len(outbox.RETRY_DELAYS) + 1):
        send(app, moment)
        moment += timedelta(days=1)
    [row] = rows(kind=outbox.BOOKING_CONFIRMED)
    assert row.failed_at is not None and row.sent_at is None
    page = owner_client.get("/staff/mail/").text
    assert "liisa@example.com" in page and "550: 5.1.1 No such user" in page
    response = owner_client.post(f"/staff/mail/{row.id}/send-again",
                                 data={"csrf_token": owner_client.csrf})
    assert response.status_code == 303
    mail_server.refuse = None
    send(app)
    assert len(mail_server.to("liisa@example.com")) == 1


def test_a_sender_killed_before_sending_loses_nothing_and_sends_once(app, shop,
                                                                     mail_server):
    """The sender is killed while it waits for a mail server that never answers; the
    message it had taken is sent by the next sender, once."""
    make_booking(app, at(next_weekday(1), 10))
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    env = dict(os.environ, VUORO_DATABASE_URL=app.config["DATABASE_URL"],
               VUORO_SECRET_KEY="test secret key", VUORO_DEVELOPMENT="1",
               VUORO_SMTP_URL=f"smtp://127.0.0.1:{silent.getsockname()[1]}")
    sender = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        silent.settimeout(60)
        connection, _ = silent.accept()  # the sender has taken the message and connected
        sender.send_signal(signal.SIGKILL)
        sender.wait(30)
        connection.close()
    finally:
        silent.close()
        if sender.poll() is None:
            sender.kill()
            sender.wait()
    [row] = rows()
    assert row.sent_at is None and row.claimed_until is not None
    now = datetime.now(UTC)
    assert send(app, now).sent == 0  # still taken by the dead sender
    assert send(app, now + outbox.CLAIM + timedelta(seconds=1)).sent == 1
    assert send(app, now + timedelta(hours=1)).sent == 0
    assert len(mail_server.to("liisa@example.com")) == 1


def test_two_senders_at_once_send_each_message_once(app, shop, owner_account,
                                                    mail_server):
    day = next_weekday(1)
    for number, hour in enumerate((9, 11, 13, 15)):
        make_booking(app, at(day, hour), email=f"c{number}@example.com", key=f"k{number}")
    expected = len(rows())
    barrier = threading.Barrier(2)

    def sender():
        barrier.wait()
        send(app)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    keys = [message["Message-ID"] for _, message in mail_server.received]
    assert len(keys) == expected == len(set(keys))


# Long enough for one message to a slow mail server, short enough for a test to outlast.
SHORT_CLAIM = timedelta(seconds=2)


def test_a_second_sender_beside_a_slow_one_sends_each_message_once(app, shop, mail_server):
    """The mail server takes a while over each message, and a second sender starts
    beside the first once the first has run longer than a claim lasts (a cron run
    beside the worker, a long news mailing): every message arrives once."""
    for number in range(16):
        make_booking(app, at(next_weekday(number // 4), 9 + 2 * (number % 4)),
                     email=f"c{number}@example.com", key=f"k{number}")
    mail_server.delay = 0.25
    results = []

    def sender():
        results.append(send(app, claim=SHORT_CLAIM))

    first, second = threading.Thread(target=sender), threading.Thread(target=sender)
    first.start()
    clock.sleep(SHORT_CLAIM.total_seconds() * 1.25)
    second.start()
    for thread in (first, second):
        thread.join(60)
    ids = [message["Message-ID"] for _, message in mail_server.received]
    assert len(ids) == 16 == len(set(ids))
    assert [result.sent > 0 for result in results] == [True, True]  # both sent some
    assert all(row.sent_at and row.claimed_by is None for row in rows())


def test_only_the_sender_holding_the_claim_sends_or_closes_the_message(app, shop):
    make_booking(app, at(next_weekday(1), 10))
    [row] = rows()
    first, second = outbox.new_sender(), outbox.new_sender()
    now = datetime.now(UTC)
    later = now + outbox.CLAIM + timedelta(seconds=1)
    with models.db.connection_context():
        assert outbox.claim(row.id, first, now)
        assert not outbox.claim(row.id, second, now + timedelta(minutes=1))
        assert outbox.claim(row.id, second, later)  # the first sender's claim ran out
        assert not outbox.hold(row, first, later)
        assert not outbox.mark_failed(row, first, later, "SMTP 451: later")
        assert not outbox.mark_sent(row, first, later, "liisa@example.com", "Vahvistus")
        assert rows()[0].sent_at is None and rows()[0].attempts == 0
        assert outbox.hold(row, second, later)
        assert outbox.mark_sent(row, second, later, "liisa@example.com", "Vahvistus")
    [row] = rows()
    assert row.sent_at and row.attempts == 1 and row.claimed_by is None


def test_a_rebuilt_database_gives_no_message_an_id_already_used(app, shop, mail_server,
                                                                rebuild_database):
    make_booking(app, at(next_weekday(1), 10))
    send(app)
    [before] = rows()
    rebuild_database()
    with models.db.connection_context():
        demo.add_demo_business()
    make_booking(app, at(next_weekday(1), 13), email="toinen@example.com")
    send(app)
    [after] = rows()
    assert after.key == before.key  # the same event key, for another message
    [first] = mail_server.to("liisa@example.com")
    [second] = mail_server.to("toinen@example.com")
    assert first["Message-ID"] != second["Message-ID"]


def test_staff_notice_of_a_name_with_a_line_break_is_sent(app, shop, owner_account,
                                                          mail_server):
    make_booking(app, at(next_weekday(1), 10), name="Liisa\nLaine")
    assert send(app).sent == 2
    [notice] = mail_server.to("olli@hieronta.example")
    assert notice["Subject"].endswith(", Liisa Laine")


def test_a_message_that_can_never_be_written_is_given_up_at_once_with_its_reason(
        app, shop, owner_client, mail_server):
    booking, _ = make_booking(app, at(next_weekday(1), 10))
    with models.db.connection_context():
        Customer.update(email="liisa@example.com\nBcc: muut@example.org").where(
            Customer.id == booking.customer_id).execute()
    now = datetime.now(UTC)
    result = send(app, now)
    assert (result.sent, result.given_up, result.failed) == (1, 1, 0)  # the owner's notice
    [row] = rows(kind=outbox.BOOKING_CONFIRMED)
    assert row.failed_at is not None and row.attempts == 1
    reason = "could not be written: ValueError: Header values may not contain linefeed"
    assert row.last_error.startswith(reason)
    assert not send(app, now + timedelta(days=1))  # not tried again
    page = owner_client.get("/staff/mail/").text
    assert reason in page
    with models.db.connection_context():  # the owner corrects the address, sends again
        Customer.update(email="liisa@example.com").where(
            Customer.id == booking.customer_id).execute()
    owner_client.post(f"/staff/mail/{row.id}/send-again", data={"csrf_token": owner_client.csrf})
    send(app)
    assert len(mail_server.to("liisa@example.com")) == 1


def test_message_about_an_erased_booking_is_skipped(app, shop, mail_server):
    booking, _ = make_booking(app, at(next_weekday(1), 10))
    with models.db.connection_context():
        OutboxMessage.delete().where(OutboxMessage.kind != outbox.BOOKING_CONFIRMED).execute()
        Booking.delete_by_id(booking.id)
    result = send(app)
    assert result.skipped == 1 and not mail_server.received
    [row] = rows()
    assert row.failed_at is not None and "no longer exists" in row.last_error


# Reminders


def booked_long_ago(app, start, key="r1", email="liisa@example.com"):
    booking, _ = make_booking(app, start, key=key, email=email,
                              now=start - timedelta(days=5))
    with models.db.connection_context():
        Booking.update(created_at=(start - timedelta(days=5)).astimezone(UTC)
                       .replace(tzinfo=None)).where(Booking.id == booking.id).execute()
        OutboxMessage.delete().execute()  # the confirmation is another test's business
    return booking


def remind(app, now):
    with app.app_context(), models.db.connection_context():
        return worker.queue_reminders(now=now)


def test_reminder_is_sent_once_the_day_before(app, shop, mail_server):
    start = at(next_weekday(1), 10)
    booked_long_ago(app, start)
    assert remind(app, start - timedelta(hours=30)) == 0  # not yet
    assert remind(app, start - timedelta(hours=23)) == 1
    assert remind(app, start - timedelta(hours=22)) == 0  # once
    send(app, start - timedelta(hours=22))
    [message] = mail_server.to("liisa@example.com")
    assert translated("fi", "A reminder of your appointment:") in text_of(message)
    assert send(app, start - timedelta(hours=1)).sent == 0


def test_no_reminder_for_cancelled_past_or_just_made_bookings(app, shop, mail_server):
    day = next_weekday(1)
    cancelled = booked_long_ago(app, at(day, 9), key="a", email="a@example.com")
    with models.db.connection_context():
        Booking.update(status=CANCELLED).where(Booking.id == cancelled.id).execute()
    booked_long_ago(app, at(day, 10), key="b", email="b@example.com")  # will be past
    late = at(day, 13)
    made, _ = make_booking(app, late, key="c", email="c@example.com",
                           now=late - timedelta(hours=3))
    with models.db.connection_context():
        Booking.update(created_at=naive_utc(late - timedelta(hours=3))).where(
            Booking.id == made.id).execute()
        OutboxMessage.delete().execute()
    # Just after the 10 o'clock appointment began: it gets none, nor does the 13 o'clock
    # one, made three hours before it.
    assert remind(app, at(day, 10, 30)) == 0
    assert not rows()


def test_reminder_queued_before_a_cancellation_is_not_sent(app, shop, mail_server):
    start = at(next_weekday(1), 10)
    booking = booked_long_ago(app, start)
    remind(app, start - timedelta(hours=20))
    with models.db.connection_context():
        Booking.update(status=CANCELLED).where(Booking.id == booking.id).execute()
    assert send(app, start - timedelta(hours=19)).skipped == 1
    assert not mail_server.received


def test_two_workers_queue_one_reminder(app, shop):
    start = at(next_weekday(1), 10)
    booked_long_ago(app, start)
    barrier = threading.Barrier(4)

    def a_worker():
        barrier.wait()
        remind(app, start - timedelta(hours=20))

    threads = [threading.Thread(target=a_worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(rows(kind=outbox.BOOKING_REMINDER)) == 1


def test_no_reminders_when_the_owner_turned_them_off(app, shop):
    from models.business import Business

    start = at(next_weekday(1), 10)
    booked_long_ago(app, start)
    with models.db.connection_context():
        Business.update(reminder_hours=0).execute()
    assert remind(app, start - timedelta(hours=2)) == 0


# Staff changes tell the customer


def test_staff_cancellation_tells_the_shared_reason(app, shop, mail_server):
    booking, _ = make_booking(app, at(next_weekday(1), 10))
    send(app)
    with models.db.connection_context():
        cancel_booking(Booking.get_by_id(booking.id), 1, "Hieroja sairastui", True,
                       lambda *a, **k: None)
    send(app)
    message = mail_server.to("liisa@example.com")[-1]
    assert "Hieroja sairastui" in text_of(message)
    assert translated("fi", "We are sorry: we have had to cancel your booking:") in \
        text_of(message)


def test_unshared_reason_stays_in_the_back_office(app, shop, mail_server):
    booking, _ = make_booking(app, at(next_weekday(1), 10))
    with models.db.connection_context():
        cancel_booking(Booking.get_by_id(booking.id), 1, "Asiakas on hankala", False,
                       lambda *a, **k: None)
    send(app)
    assert all("hankala" not in text_of(m) for m in mail_server.to("liisa@example.com"))


def test_staff_move_sends_the_new_time_and_an_updated_calendar_file(app, shop,
                                                                    mail_server):
    day = next_weekday(1)
    booking, _ = make_booking(app, at(day, 10))
    send(app)
    with models.db.connection_context():
        move_booking(Booking.get_by_id(booking.id), 1, StaffMember.get_by_id(AINO),
                     at(day, 14), datetime.now(UTC), lambda *a, **k: None)
    send(app)
    confirmation, moved = mail_server.to("liisa@example.com")
    assert "10.00" in text_of(moved) and "14.00" in text_of(moved)
    [event] = calendar_of(moved).walk("VEVENT")
    [first] = calendar_of(confirmation).walk("VEVENT")
    assert event.decoded("dtstart") == at(day, 14)
    assert str(event["uid"]) == str(first["uid"]) and event["sequence"] > first["sequence"]


def test_booking_made_by_staff_gets_a_manage_link(app, shop, mail_server):
    from models.booking.staff_bookings import StaffBookingRequest, create_booking
    from models.people.customers import Customer

    with models.db.connection_context():
        matti = Customer.get(Customer.email.is_null(False))
        booking = create_booking(StaffBookingRequest(
            service=Service.get_by_id(CLASSIC_60), staff=StaffMember.get_by_id(AINO),
            start=at(next_weekday(1), 10), customer=matti,
        ), datetime.now(UTC), lambda *a, **k: None)
    send(app)
    [message] = mail_server.to(matti.email)
    link = re.search(r"http://127\.0\.0\.1:5000(/booking/\S+)", text_of(message)).group(1)
    page = app.test_client().get(link)
    assert page.status_code == 200 and booking.display_reference in page.text


# Without an SMTP server


def test_without_smtp_messages_become_files_the_owner_can_read(app, shop, owner_client):
    make_booking(app, at(next_weekday(1), 10))
    result = app.test_cli_runner().invoke(args=["outbox"])
    assert result.exit_code == 0, result.output
    assert "lähetetty 2," in result.output  # to the customer, and to the owner
    folder = os.path.join(app.instance_path, "mail")
    saved = {}
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as file:
            message = message_from_bytes(file.read(), policy=policy.default)
        saved[message["To"]] = name
    assert set(saved) == {"liisa@example.com", "olli@hieronta.example"}
    name = saved["liisa@example.com"]
    page = owner_client.get("/staff/mail/").text
    assert "liisa@example.com" in page and name in page
    shown = owner_client.get(f"/staff/mail/files/{name}")
    assert shown.status_code == 200 and "Liisa Laine" in shown.text


def test_mail_files_are_for_the_owner_only(app, shop, staff_client):
    assert staff_client.get("/staff/mail/").status_code == 403


def test_worker_once_runs_every_duty(app, shop, mail_server):
    make_booking(app, at(next_weekday(1), 10))
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(mail_server.received) == 1


@pytest.mark.parametrize(("variable", "value"), [
    ("VUORO_PROXIES", "yksi"),
    ("VUORO_PROXIES", "²"),
    ("VUORO_MAIL_FROM", "not-an-address"),
    ("VUORO_BASE_URL", "ajanvaraus.example.fi"),
    ("VUORO_SMTP_URL", "http://mail.example.com"),
    ("VUORO_DATABASE_URL", "mysql://localhost/vuoro"),
])
def test_a_mistyped_setting_stops_the_command_with_one_line_naming_it(tmp_path, variable,
                                                                       value):
    import subprocess
    import sys

    env = dict(os.environ, VUORO_DATABASE_URL=f"sqlite:///{tmp_path}/vuoro.db")
    env[variable] = value
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init-db"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"Virhe: {variable} on ")
    assert not (tmp_path / "vuoro.db").exists()


def test_mistyped_smtp_setting_stops_the_start(app):
    from app import create_app

    with pytest.raises(ValueError, match="VUORO_SMTP_URL"):
        create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x",
                    "SMTP_URL": "http://mail.example.com"})


# Contact requests


def contact_request(language="fi", email="kysyja@example.com", preferred="email"):
    from models.people.contact_requests import ContactDetails, receive

    with models.db.connection_context():
        return receive(ContactDetails(
            name="Kerttu Kysyjä", email=email, phone="+358401112233", subject="booking",
            message="Onko lahjakortteja?\nKiitos", preferred_reply=preferred,
            language=language), f"contact-{email}")


def test_contact_request_is_confirmed_to_the_sender_and_told_to_staff(app, shop,
                                                                      owner_account,
                                                                      mail_server):
    contact = contact_request(language="en")
    send(app)
    [confirmation] = mail_server.to("kysyja@example.com")
    assert confirmation["Subject"] == "We received your message"
    assert "Onko lahjakortteja?" in text_of(confirmation)
    assert "by e-mail" in text_of(confirmation)
    [notice] = mail_server.to("olli@hieronta.example")
    assert "Kerttu Kysyjä" in notice["Subject"]
    assert f"/staff/inbox/{contact.id}" in text_of(notice)


def test_contact_request_without_an_address_is_only_told_to_staff(app, shop,
                                                                 owner_account,
                                                                 mail_server):
    contact_request(email="", preferred="phone")
    result = send(app)
    assert (result.sent, result.skipped) == (1, 1)
    assert [recipients for recipients, _ in mail_server.received] == [
        ["olli@hieronta.example"]]


def test_customer_moving_to_another_person_tells_both(app, shop, mail_server):
    from models.booking.customer_changes import move

    with models.db.connection_context():
        for email, member in (("aino@hieronta.example", 1), ("eero@hieronta.example", 2)):
            User.create(email=email, name=email, role="staff", staff_member=member)
    day = next_weekday(1)  # Tuesday: Aino from 9, Eero from 10
    booking, _ = make_booking(app, at(day, 10))
    send(app)
    with models.db.connection_context():
        move(Booking.get_by_id(booking.id), 1, StaffMember.get_by_id(2), at(day, 15),
             datetime.now(UTC))
    send(app)
    moved_subject = translated("fi", "Moved by the customer: %(when)s, %(name)s")
    for address in ("aino@hieronta.example", "eero@hieronta.example"):
        assert any(m["Subject"].startswith(moved_subject.split(":")[0])
                   for m in mail_server.to(address)), address


def test_one_run_sends_everything_due_however_much_waits(app, shop, mail_server):
    for number in range(outbox_batch() + 5):
        contact_request(email=f"kysyja{number}@example.com")
    assert send(app).sent == outbox_batch() + 5


def outbox_batch():
    import inspect

    return inspect.signature(outbox.due_ids).parameters["limit"].default


def test_saved_messages_are_deleted_with_the_record_of_sent_mail(app, shop):
    make_booking(app, at(next_weekday(1), 10))
    app.test_cli_runner().invoke(args=["outbox"])
    folder = os.path.join(app.instance_path, "mail")
    assert os.listdir(folder)
    with app.app_context(), models.db.connection_context():
        worker.purge_expired(now=datetime.now(UTC) + timedelta(days=80))
        assert os.listdir(folder)  # kept three months
        done = worker.purge_expired(now=datetime.now(UTC) + timedelta(days=100))
    assert not os.listdir(folder) and "saved e-mail files: 1" in done


def test_every_kind_of_message_has_a_name_on_the_owners_mail_page():
    from views.owner.sent_mail import KIND_NAMES

    assert set(KIND_NAMES) == set(outbox.KINDS)
