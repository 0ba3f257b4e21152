"""Payment reminders (maksumuistutus) of overdue invoices, and when a reminder may
cost the buyer a fee.

The Debt Collection Act (laki saatavien perinnästä 513/1999) is read here as follows:
the buyer can be made to pay a reminder's costs only when the reminder is sent at the
earliest 14 days after the due date (10 §); its fee is at most 5 € (10 e §, the owner's
setting, models/money/settings.py, is capped there); the fees of at most two reminders
can be charged, and a second charged reminder only 14 days after the first. Vuoro
applies the same rules to every buyer, business or consumer. A reminder without a fee
can be sent as soon as the invoice is overdue. The reminder's fee is added to what is
open of the invoice; every reminder names a new due date after today."""

from dataclasses import dataclass
from datetime import date, timedelta

from engines.clock import today, utc_now
from models import is_sqlite, write_transaction
from models.money import Refused
from models.money.mailing import queue_reminder
from models.money.settings import LARGEST_REMINDER_FEE_CENTS, MoneySettings
from models.money.vouchers import ISSUED, Invoice, PaymentReminder

FEE_WAIT = timedelta(days=14)
CHARGED_REMINDERS = 2
# The new due date a reminder offers unless staff choose another.
REMINDER_DUE_DAYS = 14


@dataclass(frozen=True)
class FeeRule:
    """What a reminder sent on `day` may charge: `fee_cents` (0 when none may be) and,
    when none may, `reason` (a Refused code) and the first day one may (`from_day`)."""

    fee_cents: int
    reason: str | None = None
    from_day: date | None = None


def fee_rule(invoice, day=None):
    day = day or today()
    fee = min(MoneySettings.current().reminder_fee_cents, LARGEST_REMINDER_FEE_CENTS)
    if fee <= 0:
        return FeeRule(0, "reminder_fee_none")
    charged = [each for each in invoice.sent_reminders if each.fee_cents]
    if len(charged) >= CHARGED_REMINDERS:
        return FeeRule(0, "reminder_fee_limit")
    first_day = invoice.due_date + FEE_WAIT
    if charged:
        first_day = max(first_day, charged[-1].sent_on + FEE_WAIT)
    if day < first_day:
        return FeeRule(0, "reminder_fee_too_early", first_day)
    return FeeRule(fee)


def default_due_date(day=None):
    return (day or today()) + timedelta(days=REMINDER_DUE_DAYS)


def can_remind(invoice, day=None):
    day = day or today()
    return (invoice.status == ISSUED and not invoice.is_credit_note
            and invoice.open_cents > 0 and invoice.due_date < day)


def remind(invoice_id, due_date, charge_fee, email=False, user=None):
    """A reminder of the overdue invoice, sent today, due on `due_date`, with the fee
    the rules allow when `charge_fee`; queued by e-mail to the buyer when `email`.
    Refused when the invoice is not overdue with something open, the due date is not
    after today, or a fee is asked for when none may be charged."""
    day = today()
    if due_date <= day:
        raise Refused("reminder_due_not_after_today", "due_date")
    with write_transaction():
        query = Invoice.select().where(Invoice.id == invoice_id)
        invoice = (query if is_sqlite() else query.for_update()).get_or_none()
        if invoice is None:
            raise Refused("invoice_unknown")
        if not can_remind(invoice, day):
            raise Refused("not_overdue")
        rule = fee_rule(invoice, day)
        if charge_fee and not rule.fee_cents:
            raise Refused(rule.reason, "charge_fee")
        reminder = PaymentReminder.create(
            invoice=invoice, position=len(invoice.sent_reminders) + 1, sent_on=day,
            due_date=due_date, fee_cents=rule.fee_cents if charge_fee else 0,
            open_before_cents=invoice.open_cents, created_at=utc_now(), created_by=user)
        if email:
            queue_reminder(reminder)
    return reminder
