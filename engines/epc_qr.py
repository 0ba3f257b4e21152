"""The EPC QR payment code (the European Payments Council's "SCT" code, version 002) that
Finnish bank apps read: the payee, the IBAN, the amount, the reference and the due date.

Lines, in this order: BCD, 002, 1 (UTF-8), SCT, the BIC (optional in version 002, left
empty when not given), the payee's name (up to 70 characters), the IBAN, the amount as
EUR and the euros with at most two decimals ("EUR12.25", "EUR12.5"), the purpose (empty),
the reference as a structured creditor reference (Finance Finland's QR code guidelines
put both the RF reference and the Finnish reference there), the unstructured remittance
text (empty: one or the other), and, when the invoice has a due date, the information for
the payer as "ReqdExctnDt/YYYY-MM-DD", which Finnish bank apps take as the due date.
Drawn with segno in byte mode at error correction level M, QR version 13 at most, as the
standard asks.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from engines.reference import parse_payment_reference

LARGEST_AMOUNT_CENTS = 99_999_999_999
LARGEST_PAYLOAD_BYTES = 331
LARGEST_QR_VERSION = 13


@dataclass(frozen=True)
class EpcPayment:
    """What the payer's bank app fills in: amount in cents (1 cent to 999 999 999,99 €)."""

    payee: str
    iban: str
    amount_cents: int
    reference: str
    bic: str | None = None
    due_date: date | None = None


def _euros(amount_cents):
    return f"{Decimal(amount_cents).scaleb(-2):.2f}".rstrip("0").rstrip(".")


def epc_qr_text(payment):
    """The text the QR code holds, one field a line. Raises ValueError (stdnum's and
    InvalidReference are ValueErrors) for what a bank app could not pay."""
    if not 1 <= payment.amount_cents <= LARGEST_AMOUNT_CENTS:
        raise ValueError("an EPC payment is of 0,01 to 999 999 999,99 euros")
    payee = payment.payee.strip()
    if not 1 <= len(payee) <= 70:
        raise ValueError("an EPC payee's name is 1 to 70 characters")
    fields = [
        "BCD", "002", "1", "SCT",
        stdnum_bic.validate(payment.bic) if payment.bic else "",
        payee,
        stdnum_iban.validate(payment.iban),
        f"EUR{_euros(payment.amount_cents)}",
        "",
        parse_payment_reference(payment.reference),
    ]
    if payment.due_date:
        fields += ["", f"ReqdExctnDt/{payment.due_date.isoformat()}"]
    text = "\n".join(fields)
    if len(text.encode("utf-8")) > LARGEST_PAYLOAD_BYTES:
        raise ValueError("an EPC QR code holds at most 331 bytes")
    return text


def epc_qr_code(payment):
    """The payment as a segno QR code."""
    code = segno.make_qr(epc_qr_text(payment).encode("utf-8"), error="m", boost_error=False)
    if code.version > LARGEST_QR_VERSION:
        raise ValueError("an EPC QR code is of QR version 13 at most")
    return code


def epc_qr_svg(payment, scale=4):
    """The QR code as a standalone SVG document (with its quiet zone), for an invoice."""
    drawing = io.BytesIO()
    epc_qr_code(payment).save(drawing, kind="svg", scale=scale, xmldecl=False)
    return drawing.getvalue().decode("utf-8")
