"""Finvoice 3.0 messages, each validated against the published Finvoice 3.0 schema."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from engines import vat
from engines.finvoice import (
    Address,
    Buyer,
    CreditedInvoice,
    EInvoiceAddress,
    Invoice,
    InvoiceRow,
    Seller,
    finvoice_message,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "finvoice" / \
    "Finvoice3.0.xsd"

SELLER = Seller(
    name="Hieronta Ahonen Oy", business_id="2077474-0",
    address=Address("Kauppakatu 3 B 12", "40100", "Jyväskylä"),
    iban="FI37 1590 3000 0007 76", bic="HELSFIHH",
)
CONSUMER = Buyer(name="Äijälä Liisa", address=Address("Koivukuja 5", "40520", "Jyväskylä"))
MARCH = date(2026, 3, 2)
GENERAL = vat.rate_on(vat.GENERAL, MARCH)
MASSAGE = InvoiceRow("Klassinen hieronta 60 min", 3333, Decimal(3), GENERAL, MARCH)
CONSUMER_INVOICE = Invoice(
    number="2026-17", issue_date=date(2026, 3, 3), due_date=date(2026, 3, 17),
    seller=SELLER, buyer=CONSUMER, rows=(MASSAGE,), reference="12 34561",
    penalty_interest_percent=Decimal("11.5"),
)


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the Finvoice 3.0 schema is not at {SCHEMA_PATH}")
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def valid_message(schema, invoice):
    """The message as an element tree, after checking it against the schema."""
    message = etree.fromstring(finvoice_message(invoice))
    schema.assertValid(message)
    return message


def texts(message, path):
    return [element.text for element in message.iterfind(path)]


def test_consumer_invoice_is_valid_finvoice_with_payment_details(schema):
    message = valid_message(schema, CONSUMER_INVOICE)
    assert message.get("Version") == "3.0"
    assert texts(message, "InvoiceDetails/InvoiceTypeCode") == ["INV01"]
    assert texts(message, "InvoiceDetails/InvoiceTypeText") == ["LASKU"]
    date_element = message.find("InvoiceDetails/InvoiceDate")
    assert (date_element.text, date_element.get("Format")) == ("20260303", "CCYYMMDD")
    assert texts(message, "DeliveryDetails/DeliveryDate") == ["20260302"]
    # 3 × 33,33 € at 25,5 %: 99,99 € of which VAT 20,32 €.
    assert texts(message, "InvoiceDetails/InvoiceTotalVatIncludedAmount") == ["99,99"]
    assert texts(message, "InvoiceDetails/InvoiceTotalVatAmount") == ["20,32"]
    assert texts(message, "InvoiceDetails/InvoiceTotalVatExcludedAmount") == ["79,67"]
    assert texts(message, "InvoiceDetails/PaymentTermsDetails/InvoiceDueDate") == ["20260317"]
    assert texts(message, "InvoiceDetails/PaymentTermsDetails/PaymentOverDueFineDetails/"
                          "PaymentOverDueFinePercent") == ["11,5"]
    row = message.find("InvoiceRow")
    assert [row.findtext(tag) for tag in (
        "InvoicedQuantity", "UnitPriceAmount", "UnitPriceVatIncludedAmount",
        "RowVatRatePercent", "RowVatAmount", "RowVatExcludedAmount", "RowAmount",
    )] == ["3", "26,5578", "33,33", "25,5", "20,32", "79,67", "99,99"]
    reference = message.find("EpiDetails/EpiPaymentInstructionDetails/"
                             "EpiRemittanceInfoIdentifier")
    assert (reference.text, reference.get("IdentificationSchemeName")) == ("1234561", "SPY")
    assert texts(message, "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount") \
        == ["99,99"]
    assert texts(message, "EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate") \
        == ["20260317"]
    assert texts(message, "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/"
                          "EpiAccountID") == ["FI3715903000000776"]
    assert texts(message, "VirtualBankBarcode") == [
        "4" "3715903000000776" "000099" "99" "000" "00000000000001234561" "260317"]
    assert texts(message, "SellerPartyDetails/SellerOrganisationTaxCode") == ["FI20774740"]


def test_business_e_invoice_goes_to_the_buyers_ovt_address(schema):
    buyer = Buyer(
        name="Vakuutusyhtiö Turva Oy", address=Address("PL 100", "00101", "Helsinki"),
        business_id="0737546-2",
        einvoice_address=EInvoiceAddress("003707375462", "003723327487"), language="sv",
    )
    seller = replace(SELLER, einvoice_address=EInvoiceAddress("003720774740", "HELSFIHH"))
    invoice = replace(CONSUMER_INVOICE, seller=seller, buyer=buyer, reference="RF98 1111 2",
                      buyer_reference="Vahinko 4471",
                      sent_at=datetime(2026, 3, 3, 8, 15, tzinfo=UTC))
    message = valid_message(schema, invoice)
    details = "MessageTransmissionDetails/MessageReceiverDetails/"
    assert texts(message, details + "ToIdentifier") == ["003707375462"]
    assert texts(message, details + "ToIntermediator") == ["003723327487"]
    assert texts(message, "BuyerPartyDetails/BuyerPartyIdentifier") == ["0737546-2"]
    assert texts(message, "InvoiceRecipientLanguageCode") == ["sv"]
    assert texts(message, "InvoiceDetails/InvoiceTypeText") == ["FAKTURA"]
    assert texts(message, "InvoiceDetails/BuyerReferenceIdentifier") == ["Vahinko 4471"]
    reference = message.find("EpiDetails/EpiPaymentInstructionDetails/"
                             "EpiRemittanceInfoIdentifier")
    assert (reference.text, reference.get("IdentificationSchemeName")) == ("RF9811112", "ISO")
    assert texts(message, "VirtualBankBarcode")[0].startswith("5")


def test_mixed_rate_invoice_totals_each_rate_and_names_the_exemption(schema):
    health = vat.rate_on(vat.HEALTH_CARE, MARCH)
    sports = vat.rate_on(vat.SPORTS_AND_CULTURE, MARCH)
    rows = (
        InvoiceRow("Fysioterapia 45 min", 6500, Decimal(1), health, MARCH),
        InvoiceRow("Kuntosaliharjoittelu", 2000, Decimal(2), sports, date(2026, 3, 4)),
        InvoiceRow("Hierontaöljy", 3333, Decimal(3), GENERAL, MARCH),
        InvoiceRow("Lisäaika", 6000, Decimal("0.5"), GENERAL, MARCH, unit="h"),
    )
    message = valid_message(schema, replace(CONSUMER_INVOICE, rows=rows))
    specifications = [
        [spec.findtext(tag) for tag in ("VatRatePercent", "VatCode", "VatBaseAmount",
                                        "VatRateAmount", "VatFreeText",
                                        "VatExemptionReasonCode")]
        for spec in message.iterfind("InvoiceDetails/VatSpecificationDetails")
    ]
    # 99,99 € + 30,00 € at 25,5 %: VAT 20,32 + 6,10; 40,00 € at 13,5 %: VAT 4,76.
    assert specifications == [
        ["25,5", "S", "103,57", "26,42", None, None],
        ["13,5", "S", "35,24", "4,76", None, None],
        ["0", "E", "65,00", "0,00", "AVL 34 §", "VATEX-EU-132-1C"],
    ]
    assert texts(message, "InvoiceDetails/InvoiceTotalVatIncludedAmount") == ["234,99"]
    assert texts(message, "InvoiceDetails/InvoiceTotalVatAmount") == ["31,18"]
    assert texts(message, "InvoiceDetails/InvoiceTotalVatExcludedAmount") == ["203,81"]
    assert texts(message, "InvoiceDetails/InvoicingPeriodStartDate") == ["20260302"]
    assert texts(message, "InvoiceDetails/InvoicingPeriodEndDate") == ["20260304"]
    assert message.find("DeliveryDetails") is None
    assert texts(message, "InvoiceRow/RowDeliveryDate") == [
        "20260302", "20260304", "20260302", "20260302"]
    assert texts(message, "InvoiceRow/InvoicedQuantity") == ["1", "2", "3", "0,5"]


def test_credit_note_refers_to_the_original_and_credits_its_amounts(schema):
    credit_note = replace(CONSUMER_INVOICE, number="2026-18", issue_date=date(2026, 3, 10),
                          due_date=date(2026, 3, 10), reference=None,
                          credits=CreditedInvoice("2026-17", date(2026, 3, 3)))
    message = valid_message(schema, credit_note)
    assert texts(message, "InvoiceDetails/InvoiceTypeCode") == ["INV02"]
    assert texts(message, "InvoiceDetails/InvoiceTypeCodeUN") == ["381"]
    assert texts(message, "InvoiceDetails/InvoiceTypeText") == ["HYVITYSLASKU"]
    assert texts(message, "InvoiceDetails/OriginalInvoiceNumber") == ["2026-17"]
    assert texts(message, "InvoiceDetails/OriginalInvoiceDate") == ["20260303"]
    assert texts(message, "InvoiceDetails/InvoiceTotalVatIncludedAmount") == ["-99,99"]
    assert texts(message, "InvoiceDetails/VatSpecificationDetails/VatRateAmount") == ["-20,32"]
    assert texts(message, "InvoiceRow/InvoicedQuantity") == ["-3"]
    assert texts(message, "InvoiceRow/RowAmount") == ["-99,99"]
    assert message.find("VirtualBankBarcode") is None


def test_business_below_vat_threshold_invoices_without_vat(schema):
    small = replace(SELLER, vat_registered=False)
    message = valid_message(schema, replace(CONSUMER_INVOICE, seller=small))
    assert message.find("SellerPartyDetails/SellerOrganisationTaxCode") is None
    assert texts(message, "InvoiceDetails/InvoiceTotalVatAmount") == ["0,00"]
    assert texts(message, "InvoiceDetails/InvoiceTotalVatIncludedAmount") == ["99,99"]
    assert texts(message, "InvoiceDetails/VatSpecificationDetails/VatFreeText") == ["AVL 3 §"]


def test_consumer_without_an_address_on_a_simplified_invoice(schema):
    anonymous = Buyer(name="Matti Virtanen", address=None)
    message = valid_message(schema, replace(CONSUMER_INVOICE, buyer=anonymous))
    assert texts(message, "BuyerPartyDetails/BuyerOrganisationName") == ["Matti Virtanen"]
    assert message.find("BuyerPartyDetails/BuyerPostalAddressDetails") is None


def test_account_abroad_gets_no_finnish_bar_code(schema):
    abroad = replace(SELLER, iban="LT12 1000 0111 0100 1000", bic="REVOLT21")
    message = valid_message(schema, replace(CONSUMER_INVOICE, seller=abroad))
    assert message.find("VirtualBankBarcode") is None
    assert texts(message, "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/"
                          "EpiAccountID") == ["LT121000011101001000"]


def test_schema_check_catches_elements_out_of_order(schema):
    message = etree.fromstring(finvoice_message(CONSUMER_INVOICE))
    seller = message.find("SellerPartyDetails")
    message.remove(seller)
    message.append(seller)
    assert not schema.validate(message)


@pytest.mark.parametrize("changes", [
    {"due_date": date(2026, 3, 2)},
    {"rows": ()},
    {"buyer": replace(CONSUMER, einvoice_address=EInvoiceAddress("003707375462",
                                                                 "003723327487"))},
])
def test_invoice_that_cannot_be_sent_is_refused(changes):
    with pytest.raises(ValueError):
        replace(CONSUMER_INVOICE, **changes)


rates = st.sampled_from([
    vat.rate_on(category, day)
    for category in (vat.GENERAL, vat.SPORTS_AND_CULTURE, vat.HEALTH_CARE, vat.ZERO_RATED)
    for day in (date(2024, 8, 31), date(2025, 6, 1), date(2026, 3, 2))
])
invoice_rows = st.builds(
    InvoiceRow,
    # What XML can hold: a Finvoice message cannot carry control characters.
    description=st.text(st.characters(exclude_categories=("Cc", "Cs"),
                                      exclude_characters="\ufffe\uffff"), min_size=1,
                        max_size=100),
    unit_gross_cents=st.integers(min_value=0, max_value=1_000_000_000),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3),
    rate=rates,
    service_date=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(invoice_rows, min_size=1, max_size=8), st.booleans(), st.booleans())
def test_any_invoice_or_credit_note_is_valid_and_adds_up(schema, rows, credit, registered):
    invoice = replace(CONSUMER_INVOICE, rows=tuple(rows),
                      seller=replace(SELLER, vat_registered=registered),
                      credits=CreditedInvoice("2026-1", date(2026, 1, 2)) if credit else None)
    message = valid_message(schema, invoice)

    def cents(path):
        return sum(int(text.replace(",", "")) for text in texts(message, path))

    assert cents("InvoiceDetails/InvoiceTotalVatIncludedAmount") == cents("InvoiceRow/RowAmount")
    assert cents("InvoiceDetails/InvoiceTotalVatAmount") \
        == cents("InvoiceDetails/VatSpecificationDetails/VatRateAmount") \
        == cents("InvoiceRow/RowVatAmount")
    assert cents("InvoiceDetails/InvoiceTotalVatExcludedAmount") \
        == cents("InvoiceDetails/VatSpecificationDetails/VatBaseAmount") \
        == cents("InvoiceRow/RowVatExcludedAmount")
