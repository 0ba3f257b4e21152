"""What an invoice, credit note, payment reminder or receipt says, as plain data:
the parties, the rows with their amounts, the totals per VAT rate, how to pay, and every
label in the reader's language. engines/invoice_pdf.py draws it.

The amounts come from engines.vat, row by row; `invoice_document` builds the data from
an engines.finvoice.Invoice, so that the PDF shows the same cents as its Finvoice
message, with the bar code (engines.barcode) and the EPC payment (engines.epc_qr).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from engines import vat
from engines.barcode import virtual_bar_code
from engines.epc_qr import LARGEST_AMOUNT_CENTS as EPC_LARGEST_AMOUNT_CENTS
from engines.epc_qr import EpcPayment, epc_qr_text
from engines.reference import is_rf_reference, parse_payment_reference, rf_reference


@dataclass(frozen=True)
class Labels:
    """Every text the documents print, in the reader's language. `page` is a %-format
    with %(page)s and %(pages)s; `title` is the document's ("LASKU", "HYVITYSLASKU",
    "MAKSUMUISTUTUS", "KUITTI")."""

    title: str
    number: str
    issue_date: str
    due_date: str
    seller: str
    buyer: str
    business_id: str
    description: str
    service_date: str
    quantity: str
    unit_price: str
    vat_percent: str
    vat: str
    row_total: str
    vat_breakdown: str
    taxable_amount: str
    total: str
    total_to_pay: str
    penalty_interest: str
    reference: str
    rf_reference: str
    bar_code: str
    qr_code: str
    payment_method: str
    paid: str
    time: str
    buyer_reference: str
    page: str
    iban: str = "IBAN"
    bic: str = "BIC"


@dataclass(frozen=True)
class Party:
    """A seller or buyer as printed: `address` and `contact` are lines."""

    name: str
    address: tuple[str, ...] = ()
    business_id: str | None = None
    contact: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One row: the unit price without VAT in euros (engines.vat.unit_net_price), the
    row's amounts in cents (engines.vat.row), negative on a credit note."""

    description: str
    quantity: Decimal
    unit: str
    unit_net_price: Decimal
    vat_percent: Decimal
    vat_cents: int
    gross_cents: int
    service_date: date | None = None

    @property
    def net_cents(self):
        return self.gross_cents - self.vat_cents


@dataclass(frozen=True)
class RateTotal:
    """The taxable amount and VAT of one rate; `exemption` is the legal reference of a
    sale without VAT (AVL 34 §, AVL 3 §), printed beside it."""

    vat_percent: Decimal
    net_cents: int
    vat_cents: int
    gross_cents: int
    exemption: str | None = None


@dataclass(frozen=True)
class PaymentDetails:
    """How to pay: `reference` compact as the payer types it (a Finnish one, "1234561",
    or an RF one), `rf_reference` the RF form of a Finnish one (else None), the bar
    code's 54 digits (None for an account abroad) and the EPC QR code's payment (or
    None)."""

    iban: str
    bic: str
    reference: str
    rf_reference: str | None
    bar_code: str | None
    epc: EpcPayment | None


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice, a credit note (`refers_to` names the original, `payment` is None) or
    a payment reminder (`refers_to` names the invoice reminded of). `notes` are printed
    under the totals (e.g. the simplified invoice's statement, the reminder's text)."""

    language: str
    labels: Labels
    seller: Party
    buyer: Party
    number: str
    issue_date: date
    due_date: date | None
    rows: tuple[Row, ...]
    totals: tuple[RateTotal, ...]
    total_cents: int
    penalty_interest_percent: Decimal | None
    payment: PaymentDetails | None
    refers_to: str | None = None
    buyer_reference: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Receipt:
    """A receipt of a payment at the counter (receipt law 658/2013): `paid_at` in the
    business's local time, `payment_method` its name in the reader's language."""

    language: str
    labels: Labels
    seller: Party
    number: str
    paid_at: datetime
    rows: tuple[Row, ...]
    totals: tuple[RateTotal, ...]
    total_cents: int
    payment_method: str
    buyer: Party | None = None
    notes: tuple[str, ...] = ()


def document_rows(invoice_rows, vat_registered=True, sign=1):
    """The printed rows and the totals per rate of finvoice InvoiceRows, computed with
    engines.vat (`sign` -1 on a credit note)."""
    rows, amounts = [], []
    for each in invoice_rows:
        amount = vat.row(each.unit_gross_cents, each.quantity, each.rate,
                         vat_registered=vat_registered)
        amounts.append(amount)
        rows.append(Row(each.description, sign * Decimal(each.quantity), each.unit,
                        vat.unit_net_price(each.unit_gross_cents, amount.rate),
                        amount.rate.percent, sign * amount.vat, sign * amount.gross,
                        each.service_date))
    totals = tuple(RateTotal(total.rate.percent, sign * total.net, sign * total.vat,
                             sign * total.gross, total.rate.exemption)
                   for total in vat.totals_per_rate(amounts))
    return tuple(rows), totals


def invoice_document(invoice, labels, *, seller_contact=(), refers_to=None, notes=()):
    """The printable form of an engines.finvoice.Invoice (an invoice or, when it
    credits one, a credit note), with the same rows, totals and payment details as its
    Finvoice message."""
    sign = -1 if invoice.credits else 1
    rows, totals = document_rows(invoice.rows, invoice.seller.vat_registered, sign)
    total = sum(each.gross_cents for each in totals)
    seller = invoice.seller
    payment = None
    if not invoice.credits and invoice.reference and total > 0:
        payment = payment_details(seller.name, seller.iban, seller.bic, invoice.reference,
                                  total, invoice.due_date)
    return InvoiceDocument(
        language=invoice.buyer.language, labels=labels,
        seller=Party(seller.name, _address_lines(seller.address), seller.business_id,
                     tuple(seller_contact)),
        buyer=Party(invoice.buyer.name, _address_lines(invoice.buyer.address),
                    invoice.buyer.business_id),
        number=invoice.number, issue_date=invoice.issue_date, due_date=invoice.due_date,
        rows=rows, totals=totals, total_cents=total,
        penalty_interest_percent=invoice.penalty_interest_percent, payment=payment,
        refers_to=refers_to, buyer_reference=invoice.buyer_reference, notes=tuple(notes),
    )


def payment_details(payee, iban, bic, reference, amount_cents, due_date):
    """The bar code and the EPC payment for a reference (Finnish or RF) and an amount:
    an account abroad gets no Finnish bar code, and an amount a bank app cannot take
    (none, or above 999 999 999,99 €) or a payee's name too long for the code no QR
    code."""
    compact = parse_payment_reference(reference)
    finnish_account = iban.replace(" ", "").upper().startswith("FI")
    bar_code = virtual_bar_code(iban, amount_cents, compact, due_date) \
        if finnish_account else None
    epc = None
    if 0 < amount_cents <= EPC_LARGEST_AMOUNT_CENTS and payee.strip():
        epc = EpcPayment(payee.strip()[:70], iban, amount_cents, compact, bic, due_date)
        try:
            epc_qr_text(epc)
        except ValueError:  # a name of many multi-byte letters the code cannot hold
            epc = None
    if is_rf_reference(compact):
        return PaymentDetails(iban, bic, compact, None, bar_code, epc)
    return PaymentDetails(iban, bic, compact, rf_reference(compact), bar_code, epc)


def _address_lines(address):
    if address is None:
        return ()
    lines = [address.street, f"{address.post_code} {address.town}".strip()]
    if address.country_code != "FI":
        lines.append(address.country_code)
    return tuple(line for line in lines if line)
