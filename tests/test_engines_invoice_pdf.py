"""Invoices, credit notes, reminders and receipts as PDF: what a customer reads on them,
and that the bar code drawn is the one of the payment."""

import io
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from engines import vat
from engines.barcode import code_128_modules
from engines.documents import Labels, Party, Receipt, document_rows, invoice_document
from engines.finvoice import Address, Buyer, CreditedInvoice, Invoice, InvoiceRow, Seller
from engines.invoice_pdf import ROLL_80_MM, invoice_pdf, receipt_pdf

MM = 72 / 25.4
FINNISH = Labels(
    title="LASKU", number="Laskun numero", issue_date="Laskun päiväys", due_date="Eräpäivä",
    seller="Myyjä", buyer="Ostaja", business_id="Y-tunnus", description="Palvelu tai tuote",
    service_date="Palvelupäivä", quantity="Määrä", unit_price="À-hinta (alv 0 %)",
    vat_percent="Alv %", vat="Alv", row_total="Yhteensä",
    vat_breakdown="Arvonlisävero verokannoittain", taxable_amount="Veroton",
    total="Verollinen", total_to_pay="Maksettava yhteensä", penalty_interest="Viivästyskorko",
    reference="Viitenumero", rf_reference="RF-viite", bar_code="Pankkiviivakoodi",
    qr_code="Maksa pankkisovelluksella: lue QR-koodi", payment_method="Maksutapa",
    paid="Maksettu", time="Aika", buyer_reference="Viitteenne",
    page="Sivu %(page)s / %(pages)s",
)
SELLER = Seller(
    name="Hieronta Ahonen Oy", business_id="2077474-0",
    address=Address("Kauppakatu 3 B 12", "40100", "Jyväskylä"),
    iban="FI37 1590 3000 0007 76", bic="HELSFIHH",
)
MARCH = date(2026, 3, 2)
GENERAL = vat.rate_on(vat.GENERAL, MARCH)
MASSAGE = InvoiceRow("Klassinen hieronta 60 min", 3333, Decimal(3), GENERAL, MARCH)
INVOICE = Invoice(
    number="2026-17", issue_date=date(2026, 3, 3), due_date=date(2026, 3, 17),
    seller=SELLER, buyer=Buyer("Äijälä Liisa", Address("Koivukuja 5", "40520", "Jyväskylä")),
    rows=(MASSAGE,), reference="12 34561", penalty_interest_percent=Decimal("11.5"),
)
BAR_CODE = "437159030000007760000999900000000000000001234561260317"


def pages_of(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return reader.pages


def text_of(pdf):
    """The PDF's text, with no-break spaces and minus signs as a reader types them."""
    text = "\n".join(page.extract_text() for page in pages_of(pdf))
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")


def size_mm(page):
    box = page.mediabox
    return round(float(box.width) / MM), round(float(box.height) / MM)


def drawn_bar_code(page):
    """The bar code's modules as drawn: the filled boxes 13 mm high, left to right, each
    0.25 mm module a "1", the gaps between them "0"."""
    content = page.get_contents().get_data().decode("latin-1")
    boxes = sorted(
        (float(x), float(width)) for x, _, width, height in re.findall(
            r"([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re f", content)
        if abs(abs(float(height)) - 13 * MM) < 0.01)
    module = 0.25 * MM
    modules, end = "", boxes[0][0]
    for x, width in boxes:
        modules += "0" * round((x - end) / module) + "1" * round(width / module)
        end = x + width
    return modules


def test_invoice_shows_what_the_vat_act_asks_and_how_to_pay():
    pdf = invoice_pdf(invoice_document(INVOICE, FINNISH,
                                       seller_contact=("040 123 4567", "info@ahonen.fi")))
    [page] = pages_of(pdf)
    assert size_mm(page) == (210, 297)
    text = text_of(pdf)
    for expected in (
        "LASKU", "Laskun numero 2026-17", "Laskun päiväys 3.3.2026", "Eräpäivä 17.3.2026",
        "Hieronta Ahonen Oy", "Y-tunnus 2077474-0", "Kauppakatu 3 B 12", "40100 Jyväskylä",
        "040 123 4567", "Äijälä Liisa", "Koivukuja 5", "Klassinen hieronta 60 min",
        # 3 × 33,33 € at 25,5 %: unit price without VAT, VAT, the row VAT included.
        "3 kpl 26,5578 € 25,5 % 20,32 € 99,99 €",
        "25,5 % 79,67 € 20,32 € 99,99 €",
        "Maksettava yhteensä 99,99 €", "Viivästyskorko 11,5 %",
        "IBAN FI37 1590 3000 0007 76", "BIC HELSFIHH", "Viitenumero 12 34561",
        "RF-viite RF34 1234 561", BAR_CODE, "Sivu 1 / 1",
    ):
        assert expected in text, expected


def test_bar_code_drawn_is_the_payments_virtual_bar_code():
    [page] = pages_of(invoice_pdf(invoice_document(INVOICE, FINNISH)))
    assert drawn_bar_code(page).strip("0") == code_128_modules(BAR_CODE).strip("0")


def test_font_is_embedded_so_euro_and_scandinavian_letters_print():
    buyer = Buyer("Åsa Öhman-Łukasiewicz", Address("Ängsvägen 1", "02100", "Esbo"))
    pdf = invoice_pdf(invoice_document(replace(INVOICE, buyer=buyer), FINNISH))
    [page] = pages_of(pdf)
    fonts = page["/Resources"]["/Font"]
    assert all("/FontFile2" in font.get_object()["/DescendantFonts"][0].get_object()[
        "/FontDescriptor"] for font in fonts.values())
    assert "Åsa Öhman-Łukasiewicz" in text_of(pdf) and "99,99 €" in text_of(pdf)


def test_credit_note_refers_to_the_original_and_asks_no_payment():
    credit_note = replace(INVOICE, number="2026-18", issue_date=date(2026, 3, 10),
                          due_date=date(2026, 3, 10), reference=None,
                          credits=CreditedInvoice("2026-17", date(2026, 3, 3)))
    labels = replace(FINNISH, title="HYVITYSLASKU")
    pdf = invoice_pdf(invoice_document(credit_note, labels,
                                       refers_to="Hyvitys laskuun 2026-17 (3.3.2026)"))
    text = text_of(pdf)
    assert "HYVITYSLASKU" in text and "Laskun numero 2026-18" in text
    assert "Hyvitys laskuun 2026-17 (3.3.2026)" in text
    assert "-99,99 €" in text and "-20,32 €" in text
    assert "Eräpäivä" not in text and "IBAN" not in text and "Pankkiviivakoodi" not in text


def test_reminder_names_the_invoice_and_adds_its_fee():
    fee = InvoiceRow("Muistutusmaksu", 500, Decimal(1), vat.rate_on(vat.ZERO_RATED, MARCH),
                     date(2026, 3, 24))
    reminder = replace(INVOICE, number="2026-17/1", issue_date=date(2026, 3, 24),
                       due_date=date(2026, 4, 7), rows=(MASSAGE, fee))
    labels = replace(FINNISH, title="MAKSUMUISTUTUS")
    pdf = invoice_pdf(invoice_document(
        reminder, labels, refers_to="Muistutus laskusta 2026-17, eräpäivä 17.3.2026",
        notes=("Lasku on erääntynyt. Jos olet jo maksanut, tämä muistutus on aiheeton.",)))
    text = text_of(pdf)
    assert "MAKSUMUISTUTUS" in text and "Muistutus laskusta 2026-17" in text
    assert "Muistutusmaksu" in text and "Maksettava yhteensä 104,99 €" in text
    assert "Eräpäivä 7.4.2026" in text and "aiheeton" in text
    assert "437159030000007760001049900000000000000001234561260407" in text


def test_exempt_health_care_is_printed_with_its_legal_reference():
    physio = InvoiceRow("Fysioterapia 45 min", 6500, Decimal(1),
                        vat.rate_on(vat.HEALTH_CARE, MARCH), MARCH)
    text = text_of(invoice_pdf(invoice_document(replace(INVOICE, rows=(MASSAGE, physio)),
                                                FINNISH)))
    assert "0 % (AVL 34 §) 65,00 € 0,00 € 65,00 €" in text
    assert "Maksettava yhteensä 164,99 €" in text


def test_invoice_in_english_and_swedish_formats_for_its_reader():
    english = replace(FINNISH, title="INVOICE", total_to_pay="Total to pay",
                      issue_date="Date")
    buyer = replace(INVOICE.buyer, language="en")
    text = text_of(invoice_pdf(invoice_document(replace(INVOICE, buyer=buyer), english)))
    # English as written in Finland (CLDR en_FI): decimal comma, the day first.
    assert "Total to pay 99,99 €" in text and "Date 03/03/2026" in text
    swedish = replace(FINNISH, title="FAKTURA", total_to_pay="Att betala")
    buyer = replace(INVOICE.buyer, language="sv")
    text = text_of(invoice_pdf(invoice_document(replace(INVOICE, buyer=buyer), swedish)))
    assert "FAKTURA" in text and "Att betala 99,99 €" in text and "2026-03-03" in text


def test_account_abroad_gets_the_qr_code_but_no_finnish_bar_code():
    abroad = replace(SELLER, iban="LT12 1000 0111 0100 1000", bic="REVOLT21")
    document = invoice_document(replace(INVOICE, seller=abroad), FINNISH)
    assert document.payment.bar_code is None and document.payment.epc is not None
    text = text_of(invoice_pdf(document))
    assert "IBAN LT12 1000 0111 0100 1000" in text and "Pankkiviivakoodi" not in text


def receipt(rows=(MASSAGE,), **changes):
    printed, totals = document_rows(rows)
    values = {
        "language": "fi", "labels": replace(FINNISH, title="KUITTI"),
        "seller": Party("Hieronta Ahonen Oy", ("Kauppakatu 3 B 12", "40100 Jyväskylä"),
                        "2077474-0", ("040 123 4567",)),
        "number": "K-2026-0005", "paid_at": datetime(2026, 3, 2, 14, 5), "rows": printed,
        "totals": totals, "total_cents": sum(total.gross_cents for total in totals),
        "payment_method": "Käteinen",
    }
    return Receipt(**{**values, **changes})


@pytest.mark.parametrize("paper", ["A4", ROLL_80_MM])
def test_receipt_shows_what_the_receipt_law_asks(paper):
    pdf = receipt_pdf(receipt(), paper)
    [page] = pages_of(pdf)
    width, height = size_mm(page)
    assert width == (210 if paper == "A4" else 80)
    assert height == 297 if paper == "A4" else 60 < height < 200
    text = text_of(pdf)
    for expected in ("KUITTI", "K-2026-0005", "Hieronta Ahonen Oy", "Y-tunnus 2077474-0",
                     "040 123 4567", "2.3.2026 14.05", "Klassinen hieronta 60 min",
                     "Maksettu 99,99 €", "Käteinen", "25,5 %", "79,67 €", "20,32 €"):
        assert expected in text, expected


def test_receipt_on_a_roll_is_as_long_as_its_rows():
    short = size_mm(pages_of(receipt_pdf(receipt(), ROLL_80_MM))[0])[1]
    many = size_mm(pages_of(receipt_pdf(receipt(rows=(MASSAGE,) * 12), ROLL_80_MM))[0])[1]
    assert many > short + 40


def test_same_data_gives_the_same_file():
    document = invoice_document(INVOICE, FINNISH)
    assert invoice_pdf(document) == invoice_pdf(document)


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
                max_size=300)
rows = st.builds(
    InvoiceRow, description=names,
    unit_gross_cents=st.integers(min_value=0, max_value=1_000_000_000),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3),
    rate=st.sampled_from([GENERAL, vat.rate_on(vat.HEALTH_CARE, MARCH),
                          vat.rate_on(vat.SPORTS_AND_CULTURE, MARCH)]),
    service_date=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(rows, min_size=1, max_size=60), names, names, st.booleans())
def test_any_invoice_prints_on_as_many_pages_as_it_needs(invoice_rows, buyer_name,
                                                         seller_name, credit):
    invoice = replace(INVOICE, rows=tuple(invoice_rows),
                      buyer=replace(INVOICE.buyer, name=buyer_name),
                      seller=replace(SELLER, name=seller_name),
                      credits=CreditedInvoice("2026-1", date(2026, 1, 2)) if credit else None)
    document = invoice_document(invoice, FINNISH)
    pages = pages_of(invoice_pdf(document))
    assert all(size_mm(page) == (210, 297) for page in pages)
    last = pages[-1].extract_text().replace("\u00a0", " ")
    assert f"Sivu {len(pages)} / {len(pages)}" in last
    assert "Maksettava yhteensä" in "\n".join(page.extract_text() for page in pages[-2:])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=30), names)
def test_any_receipt_prints_on_one_strip(receipt_rows, method):
    pdf = receipt_pdf(receipt(rows=tuple(receipt_rows), payment_method=method), ROLL_80_MM)
    [page] = pages_of(pdf)
    assert size_mm(page)[0] == 80


def test_row_longer_than_a_page_runs_onto_the_next_pages():
    words = " ".join(f"sana{number}" for number in range(1500))
    long_row = InvoiceRow(f"Alku {words} loppu", 3333, Decimal(1), GENERAL, MARCH)
    pdf = invoice_pdf(invoice_document(replace(INVOICE, rows=(MASSAGE, long_row)), FINNISH))
    pages = pages_of(pdf)
    assert len(pages) >= 3
    text = text_of(pdf)
    assert "Alku sana0" in text and "sana1499 loppu" in text
    with_rows = [page.extract_text() for page in pages if "sana" in page.extract_text()]
    assert len(with_rows) >= 3
    assert all("Palvelu tai tuote" in page for page in with_rows)  # the heading on each
    assert "Maksettava yhteensä 133,32 €" in text


def test_name_too_long_for_the_qr_code_leaves_the_bar_code_and_the_text():
    many_bytes = replace(SELLER, name="𝔥" * 70)  # 4 bytes each in UTF-8
    document = invoice_document(replace(INVOICE, seller=many_bytes), FINNISH)
    assert document.payment.epc is None and document.payment.bar_code == BAR_CODE
    assert "Viitenumero 12 34561" in text_of(invoice_pdf(document))
