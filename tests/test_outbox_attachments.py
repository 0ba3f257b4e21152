"""Files queued with a message (an invoice's PDF) arrive intact through a real SMTP
server, are kept for a retry, and only their names stay once the message is sent."""

from datetime import UTC, datetime, timedelta

import pytest
from support import next_weekday, send
from test_engines_invoice_pdf import FINNISH, INVOICE
from test_mail import at, make_booking, rows

import models
from engines.documents import invoice_document
from engines.invoice_pdf import invoice_pdf
from models.messages import outbox
from models.messages.outbox import LARGEST_ATTACHMENTS_BYTES, Attachment, OutboxMessage
from models.privacy.own_copy import personal_data_of

PDF_NAME = "lasku-2026-17.pdf"


@pytest.fixture(scope="module")
def invoice_file():
    return invoice_pdf(invoice_document(INVOICE, FINNISH))


def queue_with_file(app, content):
    """A booking, and a second message about it carrying the invoice's PDF."""
    booking, _ = make_booking(app, at(next_weekday(1), 10))
    with models.db.connection_context():
        outbox.add(outbox.BOOKING_CONFIRMED, f"invoice:{booking.id}", booking_id=booking.id,
                   attachments=[Attachment(PDF_NAME, "application/pdf", content)])
    return booking


def attached(message, content_type):
    return [part for part in message.iter_attachments()
            if part.get_content_type() == content_type]


def test_queued_pdf_arrives_intact_beside_the_calendar_file(app, shop, mail_server,
                                                            invoice_file):
    queue_with_file(app, invoice_file)
    assert send(app).sent == 2
    first, second = mail_server.to("liisa@example.com")
    assert attached(first, "application/pdf") == []
    [pdf] = attached(second, "application/pdf")
    assert pdf.get_filename() == PDF_NAME
    assert pdf.get_content() == invoice_file
    assert len(attached(second, "text/calendar")) == 1


def test_only_the_names_stay_once_the_message_is_sent(app, shop, mail_server, invoice_file):
    booking = queue_with_file(app, invoice_file)
    send(app)
    [row] = rows(key=f"invoice:{booking.id}")
    assert row.files() == [] and row.attachment_names() == [PDF_NAME]
    assert str(len(invoice_file)) in row.attachments
    with models.db.connection_context():
        data = personal_data_of(booking.customer)
    sent = [item for item in data["sections"]["email"]["items"] if item.get("attachments")]
    assert [item["attachments"] for item in sent] == [[PDF_NAME]]


def test_refused_message_keeps_its_file_for_the_next_try(app, shop, mail_server,
                                                         invoice_file):
    mail_server.refuse = "451 4.3.0 Try again later"
    booking = queue_with_file(app, invoice_file)
    now = datetime.now(UTC)
    assert send(app, now).failed == 2
    [row] = rows(key=f"invoice:{booking.id}")
    assert [file.content for file in row.files()] == [invoice_file]
    mail_server.refuse = None
    assert send(app, now + timedelta(minutes=2)).sent == 2
    [pdf] = attached(mail_server.to("liisa@example.com")[-1], "application/pdf")
    assert pdf.get_content() == invoice_file


def test_dropped_message_drops_its_file(app, shop, mail_server, invoice_file):
    booking = queue_with_file(app, invoice_file)
    with models.db.connection_context():
        customer = booking.customer
        customer.email = ""
        customer.save()
    assert send(app).skipped == 2
    [row] = rows(key=f"invoice:{booking.id}")
    assert row.failed_at is not None and row.files() == []
    assert not mail_server.received


@pytest.mark.parametrize("name, content_type, content", [
    ("", "application/pdf", b"%PDF"),
    ("../lasku.pdf", "application/pdf", b"%PDF"),
    ("lasku\r\n.pdf", "application/pdf", b"%PDF"),
    ("lasku.pdf", "pdf", b"%PDF"),
    ("lasku.pdf", "application/pdf; name=x", b"%PDF"),
])
def test_attachment_that_cannot_be_one_is_refused(name, content_type, content):
    with pytest.raises(ValueError):
        Attachment(name, content_type, content)


def test_too_large_attachments_are_refused_and_nothing_is_queued(app, shop):
    big = Attachment("iso.pdf", "application/pdf", bytes(LARGEST_ATTACHMENTS_BYTES + 1))
    with models.db.connection_context():
        with pytest.raises(ValueError):
            outbox.add(outbox.NEWSLETTER, "too-big", subject="x", text="y", attachments=[big])
        assert not OutboxMessage.select().where(OutboxMessage.key == "too-big").exists()
