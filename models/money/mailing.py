"""Money documents by e-mail: an invoice (on issue, or again), a receipt, a payment
reminder, each queued in the outbox inside the transaction that makes or asks for it.
The message names the document; worker/messages.py writes it, with the PDF attached,
in the document's language when it is sent."""

import secrets

from models import write_transaction
from models.messages import outbox
from models.money import Refused
from models.money.vouchers import ISSUED, Invoice, Sale

INVOICE_KEY = "invoice-mail:{id}:"
RECEIPT_KEY = "receipt-mail:{id}:"


def _once(prefix):
    """A key of its own for each sending: sending again is a new message."""
    return prefix + secrets.token_hex(8)


def queue_invoice(invoice):
    """Queue the issued invoice (or credit note) to the buyer's address."""
    if invoice.status != ISSUED:
        raise Refused("not_sendable")
    if not invoice.buyer_email:
        raise Refused("no_email_address", "email")
    outbox.add(outbox.INVOICE_SENT, _once(INVOICE_KEY.format(id=invoice.id)),
               customer_id=invoice.customer_id, invoice_id=invoice.id)


def queue_receipt(sale):
    """Queue the receipt to its customer's address."""
    customer = sale.customer
    if customer is None or not customer.email:
        raise Refused("no_email_address", "email")
    outbox.add(outbox.RECEIPT_SENT, _once(RECEIPT_KEY.format(id=sale.id)),
               customer_id=customer.id, sale_id=sale.id)


def queue_reminder(reminder):
    invoice = reminder.invoice
    if not invoice.buyer_email:
        raise Refused("no_email_address", "email")
    outbox.add(outbox.PAYMENT_REMINDER, f"reminder-mail:{reminder.id}",
               customer_id=invoice.customer_id, reminder_id=reminder.id)


def send_invoice(invoice_id):
    """Send the issued invoice again (or for the first time) by e-mail."""
    with write_transaction():
        invoice = Invoice.get_or_none(Invoice.id == invoice_id)
        if invoice is None:
            raise Refused("invoice_unknown")
        queue_invoice(invoice)


def send_receipt(sale_id):
    with write_transaction():
        sale = Sale.get_or_none(Sale.id == sale_id)
        if sale is None:
            raise Refused("receipt_unknown")
        queue_receipt(sale)


def _sent(prefix):
    return list(outbox.OutboxMessage.select()
                .where(outbox.OutboxMessage.key.startswith(prefix))
                .order_by(outbox.OutboxMessage.created_at, outbox.OutboxMessage.id))


def invoice_mail(invoice):
    """The invoice's e-mails, the first first (each: created_at, sent_at, failed_at,
    sent_to), for its page."""
    return _sent(INVOICE_KEY.format(id=invoice.id))


def receipt_mail(sale):
    return _sent(RECEIPT_KEY.format(id=sale.id))


def reminder_mail(reminder):
    return outbox.OutboxMessage.get_or_none(
        outbox.OutboxMessage.key == f"reminder-mail:{reminder.id}")
