"""The EPC QR payment code (the European Payments Council's "SCT" code, version 002) that
Finnish bank apps read: the payee, the IBAN, the amount and the reference.

Lines, in this order: BCD, 002, 1 (UTF-8), SCT, the BIC (optional in version 002, left
empty when not given), the payee's name (up to 70 characters), the IBAN, the amount as
EUR and the euros with at most two decimals ("EUR12.25", "EUR12.5"), the purpose (empty),
and the reference as a structured creditor reference: Finance Finland's guidance puts both
the RF reference and the Finnish reference there. Drawn with segno's EPC helper, which
keeps the standard's error correction level M and largest QR version 13.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from segno import helpers
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from engines.reference import parse_reference, parse_rf_reference


@dataclass(frozen=True)
class EpcPayment:
    """What the payer's bank app fills in: amount in cents (1 cent to 999 999 999,99 €)."""

    payee: str
    iban: str
    amount_cents: int
    reference: str
    bic: str | None = None


def _checked(payment):
    """The payment's fields in their compact forms; raises ValueError (stdnum's errors are
    ValueErrors) for an IBAN, BIC or reference that is not one."""
    if not 1 <= payment.amount_cents <= 99_999_999_999:
        raise ValueError("an EPC payment is of 0,01 to 999 999 999,99 euros")
    if not 1 <= len(payment.payee.strip()) <= 70:
        raise ValueError("an EPC payee's name is 1 to 70 characters")
    reference = payment.reference
    if reference.upper().startswith("RF"):
        reference = parse_rf_reference(reference)
    else:
        reference = parse_reference(reference)
    bic = stdnum_bic.validate(payment.bic) if payment.bic else None
    return stdnum_iban.validate(payment.iban), bic, reference


def _euros(amount_cents):
    return Decimal(amount_cents).scaleb(-2)


def epc_qr_code(payment):
    """The payment as a segno QR code."""
    iban, bic, reference = _checked(payment)
    return helpers.make_epc_qr(name=payment.payee, iban=iban, amount=_euros(payment.amount_cents),
                               reference=reference, bic=bic, encoding="utf-8")


def epc_qr_text(payment):
    """The text the QR code holds, one field a line."""
    iban, bic, reference = _checked(payment)
    amount = f"{_euros(payment.amount_cents):.2f}".rstrip("0").rstrip(".")
    fields = ["BCD", "002", "1", "SCT", bic or "", payment.payee.strip(), iban,
              f"EUR{amount}", "", reference]
    return "\n".join(fields)


def epc_qr_svg(payment, scale=4):
    """The QR code as a standalone SVG document (with its quiet zone), for an invoice."""
    drawing = io.BytesIO()
    epc_qr_code(payment).save(drawing, kind="svg", scale=scale, xmldecl=False)
    return drawing.getvalue().decode("utf-8")
