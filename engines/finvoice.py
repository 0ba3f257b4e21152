"""Finvoice 3.0 messages (Finance Finland's e-invoice XML) for invoices and credit notes.

Written as the Finvoice 3.0 schema orders the elements, with decimal commas, dates as
CCYYMMDD with Format="CCYYMMDD", and the payment details (account, reference, amount,
due date) in EpiDetails. The amounts come from engines.vat, row by row, so a message
shows the same cents as the invoice. A credit note (INV02, UN/CEFACT 381) lists what it
credits as positive rows and refers to the original invoice; the message writes its
quantities and amounts negative, so that the accounting program books them as credits.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from lxml import etree
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from engines import vat
from engines.barcode import virtual_bar_code
from engines.business_id import normalise_business_id
from engines.reference import is_rf_reference, parse_payment_reference

# ISO 6523 scheme of the Finnish business ID, and so of OVT e-invoice addresses.
BUSINESS_ID_SCHEME = "0037"
# EN 16931 exemption reason codes: health care by medical and paramedical professions
# (VAT Directive 2006/112/EC, article 132(1)(c)), which AVL 34 § brings into Finnish law.
_EXEMPTION_REASON_CODES = {vat.HEALTH_CARE_EXEMPTION: "VATEX-EU-132-1C"}
_TYPE_TEXTS = {
    "fi": ("LASKU", "HYVITYSLASKU"),
    "sv": ("FAKTURA", "KREDITNOTA"),
    "en": ("INVOICE", "CREDIT NOTE"),
}


@dataclass(frozen=True)
class Address:
    street: str
    post_code: str
    town: str
    country_code: str = "FI"


@dataclass(frozen=True)
class EInvoiceAddress:
    """Where an operator delivers e-invoices: the address (an OVT code such as
    003720774740) and the operator's identifier (such as 003723327487 or NDEAFIHH)."""

    address: str
    operator: str


@dataclass(frozen=True)
class Seller:
    name: str
    business_id: str
    address: Address
    iban: str
    bic: str
    vat_registered: bool = True
    einvoice_address: EInvoiceAddress | None = None


@dataclass(frozen=True)
class Buyer:
    """The buyer; a consumer on a simplified invoice (AVL 209 f §) may have no address."""

    name: str
    address: Address | None
    business_id: str | None = None
    einvoice_address: EInvoiceAddress | None = None
    language: str = "fi"


@dataclass(frozen=True)
class InvoiceRow:
    """A service or product sold: the unit price VAT included, as customers see it."""

    description: str
    unit_gross_cents: int
    quantity: Decimal
    rate: vat.VatRate
    service_date: date
    unit: str = "kpl"


@dataclass(frozen=True)
class CreditedInvoice:
    """The invoice a credit note puts right."""

    number: str
    issue_date: date


@dataclass(frozen=True)
class Invoice:
    """An issued invoice, or a credit note when `credits` names the original. An e-invoice
    (the buyer has an e-invoice address) also needs `sent_at`, the time it is handed to
    the operator."""

    number: str
    issue_date: date
    due_date: date
    seller: Seller
    buyer: Buyer
    rows: tuple[InvoiceRow, ...]
    reference: str | None
    penalty_interest_percent: Decimal
    credits: CreditedInvoice | None = None
    buyer_reference: str | None = None
    sent_at: datetime | None = None

    def __post_init__(self):
        if not self.rows:
            raise ValueError("an invoice has at least one row")
        if self.due_date < self.issue_date:
            raise ValueError("the due date cannot be before the issue date")
        if self.buyer.einvoice_address and not (self.seller.einvoice_address and self.sent_at):
            raise ValueError("an e-invoice needs the seller's e-invoice address and its time")


# The seller's account, bank and business ID are the same on every message of a
# hand-over: each is checked (python-stdnum) once, not three times a message.
@lru_cache(maxsize=64)
def _iban(text):
    return stdnum_iban.validate(text)


@lru_cache(maxsize=64)
def _bic(text):
    return stdnum_bic.validate(text)


@lru_cache(maxsize=1024)
def _business_id(text):
    return normalise_business_id(text)


def _amount(cents):
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def _decimal(number):
    return format(Decimal(number).normalize(), "f").replace(".", ",")


def _unit_price(euros):
    """Euros with two to four decimals, as Finvoice's unit amounts take them."""
    whole, decimals = f"{euros:.4f}".split(".")
    return f"{whole},{decimals[:2]}{decimals[2:].rstrip('0')}"


def _date(day):
    return day.strftime("%Y%m%d")


class _Writer:
    """Appends elements in the order they are written; `text` leaves out empty values."""

    def __init__(self, parent):
        self.parent = parent

    def add(self, tag, text=None, **attributes):
        element = etree.SubElement(self.parent, tag, attributes)
        if text is not None:
            element.text = str(text)
        return _Writer(element)

    def text(self, tag, text, **attributes):
        if text not in (None, ""):
            self.add(tag, text, **attributes)

    def date(self, tag, day):
        self.add(tag, _date(day), Format="CCYYMMDD")

    def euros(self, tag, cents):
        self.add(tag, _amount(cents), AmountCurrencyIdentifier="EUR")

    def address(self, prefix, address):
        details = self.add(f"{prefix}PostalAddressDetails")
        details.add(f"{prefix}StreetName", address.street)
        details.add(f"{prefix}TownName", address.town)
        details.add(f"{prefix}PostCodeIdentifier", address.post_code)
        details.add("CountryCode", address.country_code)


@dataclass(frozen=True)
class _Computed:
    rows: list
    totals: list
    sign: int

    @property
    def gross(self):
        return self.sign * sum(total.gross for total in self.totals)

    @property
    def vat(self):
        return self.sign * sum(total.vat for total in self.totals)

    @property
    def net(self):
        return self.sign * sum(total.net for total in self.totals)


def _compute(invoice):
    rows = [vat.row(each.unit_gross_cents, each.quantity, each.rate,
                    vat_registered=invoice.seller.vat_registered) for each in invoice.rows]
    return _Computed(rows, vat.totals_per_rate(rows), -1 if invoice.credits else 1)


def finvoice_message(invoice):
    """The invoice or credit note as a Finvoice 3.0 message: UTF-8 XML bytes."""
    computed = _compute(invoice)
    root = etree.Element("Finvoice", Version="3.0")
    message = _Writer(root)
    if invoice.buyer.einvoice_address:
        _transmission(message, invoice)
    _seller(message, invoice.seller)
    message.text("InvoiceRecipientLanguageCode", invoice.buyer.language)
    _buyer(message, invoice.buyer)
    service_dates = sorted({row.service_date for row in invoice.rows})
    if len(service_dates) == 1:
        message.add("DeliveryDetails").date("DeliveryDate", service_dates[0])
    _invoice_details(message, invoice, computed, service_dates)
    message.text("VirtualBankBarcode", _bar_code(invoice, computed))
    for row, amounts in zip(invoice.rows, computed.rows, strict=True):
        _row(message, row, amounts, computed.sign)
    _payment(message, invoice, computed)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _bar_code(invoice, computed):
    """The virtual bar code of an invoice to be paid into a Finnish account, else None."""
    iban = _iban(invoice.seller.iban)
    if invoice.credits or not invoice.reference or computed.gross <= 0 \
            or not iban.startswith("FI"):
        return None
    return virtual_bar_code(iban, computed.gross, invoice.reference, invoice.due_date)


def _transmission(message, invoice):
    details = message.add("MessageTransmissionDetails")
    sender = details.add("MessageSenderDetails")
    sender.add("FromIdentifier", invoice.seller.einvoice_address.address,
               SchemeID=BUSINESS_ID_SCHEME)
    sender.add("FromIntermediator", invoice.seller.einvoice_address.operator)
    receiver = details.add("MessageReceiverDetails")
    receiver.add("ToIdentifier", invoice.buyer.einvoice_address.address,
                 SchemeID=BUSINESS_ID_SCHEME)
    receiver.add("ToIntermediator", invoice.buyer.einvoice_address.operator)
    about = details.add("MessageDetails")
    about.add("MessageIdentifier", invoice.number)
    about.add("MessageTimeStamp", invoice.sent_at.isoformat(timespec="seconds"))


def _seller(message, seller):
    business_id = _business_id(seller.business_id)
    party = message.add("SellerPartyDetails")
    party.add("SellerPartyIdentifier", business_id, SchemeID=BUSINESS_ID_SCHEME)
    party.add("SellerOrganisationName", seller.name)
    if seller.vat_registered:
        party.add("SellerOrganisationTaxCode", f"FI{business_id.replace('-', '')}")
    party.address("Seller", seller.address)
    information = message.add("SellerInformationDetails")
    if seller.vat_registered:
        information.add("SellerVatRegistrationText", "Alv.Rek")
    account = information.add("SellerAccountDetails")
    account.add("SellerAccountID", _iban(seller.iban),
                IdentificationSchemeName="IBAN")
    account.add("SellerBic", _bic(seller.bic), IdentificationSchemeName="BIC")


def _buyer(message, buyer):
    party = message.add("BuyerPartyDetails")
    if buyer.business_id:
        party.add("BuyerPartyIdentifier", _business_id(buyer.business_id),
                  SchemeID=BUSINESS_ID_SCHEME)
    party.add("BuyerOrganisationName", buyer.name)
    if buyer.address:
        party.address("Buyer", buyer.address)


def _invoice_details(message, invoice, computed, service_dates):
    details = message.add("InvoiceDetails")
    credit = invoice.credits is not None
    details.add("InvoiceTypeCode", "INV02" if credit else "INV01")
    details.add("InvoiceTypeCodeUN", "381" if credit else "380")
    details.add("InvoiceTypeText", _TYPE_TEXTS[invoice.buyer.language][credit])
    details.add("OriginCode", "Original")
    details.add("InvoiceNumber", invoice.number)
    details.date("InvoiceDate", invoice.issue_date)
    if credit:
        details.add("OriginalInvoiceNumber", invoice.credits.number)
        details.date("OriginalInvoiceDate", invoice.credits.issue_date)
    if len(service_dates) > 1:
        details.date("InvoicingPeriodStartDate", service_dates[0])
        details.date("InvoicingPeriodEndDate", service_dates[-1])
    details.text("BuyerReferenceIdentifier", invoice.buyer_reference)
    details.euros("RowsTotalVatExcludedAmount", computed.net)
    details.euros("InvoiceTotalVatExcludedAmount", computed.net)
    details.euros("InvoiceTotalVatAmount", computed.vat)
    details.euros("InvoiceTotalVatIncludedAmount", computed.gross)
    for total in computed.totals:
        _vat_specification(details, total, computed.sign)
    terms = details.add("PaymentTermsDetails")
    terms.date("InvoiceDueDate", invoice.due_date)
    terms.add("PaymentOverDueFineDetails").add(
        "PaymentOverDueFinePercent", _decimal(invoice.penalty_interest_percent))


def vat_code(rate):
    """The EN 16931 VAT category of a rate: S standard, Z zero-rated, E exempt."""
    if rate.exemption:
        return "E"
    return "Z" if rate.percent == 0 else "S"


def _vat_specification(details, total, sign):
    specification = details.add("VatSpecificationDetails")
    specification.euros("VatBaseAmount", sign * total.net)
    specification.add("VatRatePercent", _decimal(total.rate.percent))
    specification.add("VatCode", vat_code(total.rate))
    specification.euros("VatRateAmount", sign * total.vat)
    specification.text("VatFreeText", total.rate.exemption)
    specification.text("VatExemptionReasonCode",
                       _EXEMPTION_REASON_CODES.get(total.rate.exemption))


def _row(message, row, amounts, sign):
    element = message.add("InvoiceRow")
    element.add("ArticleName", row.description)
    element.add("InvoicedQuantity", _decimal(sign * Decimal(row.quantity)),
                QuantityUnitCode=row.unit)
    element.add("UnitPriceAmount", _unit_price(vat.unit_net_price(row.unit_gross_cents,
                                                                  amounts.rate)),
                AmountCurrencyIdentifier="EUR")
    element.euros("UnitPriceVatIncludedAmount", row.unit_gross_cents)
    element.date("RowDeliveryDate", row.service_date)
    element.add("RowVatRatePercent", _decimal(amounts.rate.percent))
    element.add("RowVatCode", vat_code(amounts.rate))
    element.euros("RowVatAmount", sign * amounts.vat)
    element.euros("RowVatExcludedAmount", sign * amounts.net)
    element.euros("RowAmount", sign * amounts.gross)


def _payment(message, invoice, computed):
    epi = message.add("EpiDetails")
    identification = epi.add("EpiIdentificationDetails")
    identification.date("EpiDate", invoice.issue_date)
    identification.add("EpiReference", invoice.number)
    party = epi.add("EpiPartyDetails")
    party.add("EpiBfiPartyDetails").add("EpiBfiIdentifier", _bic(invoice.seller.bic),
                                        IdentificationSchemeName="BIC")
    beneficiary = party.add("EpiBeneficiaryPartyDetails")
    beneficiary.add("EpiNameAddressDetails", invoice.seller.name[:35])
    beneficiary.add("EpiBei", _business_id(invoice.seller.business_id))
    beneficiary.add("EpiAccountID", _iban(invoice.seller.iban),
                    IdentificationSchemeName="IBAN")
    instruction = epi.add("EpiPaymentInstructionDetails")
    if invoice.reference:
        _reference(instruction, invoice.reference)
    instruction.euros("EpiInstructedAmount", computed.gross)
    instruction.add("EpiCharge", "SHA", ChargeOption="SHA")
    instruction.date("EpiDateOptionDate", invoice.due_date)


def _reference(instruction, reference):
    compact = parse_payment_reference(reference)
    instruction.add("EpiRemittanceInfoIdentifier", compact,
                    IdentificationSchemeName="ISO" if is_rf_reference(compact) else "SPY")
