"""How long writing one invoice as PDF takes, against rendering the same data as an HTML
page with Jinja in the same run.

Run from the repository root: python benchmarks/invoice_pdf.py

Both sides start from the same engines.finvoice.Invoice and do the same work: the rows'
VAT and the totals per rate (engines.vat), the virtual bar code and the EPC QR code
(drawn as boxes in the PDF, as SVG in the page), the amounts and dates formatted for the
reader with Babel. The PDF side also subsets the embedded font for every file; the font
is read and measured once per process (engines.invoice_pdf keeps it), and the column
"PDF, font anew" forgets it before every file, as the writer did before it kept it.
Two invoices: a visit (3 rows) and a month of a regular customer's
visits and products (40 rows, two pages).
"""

import os
import platform
import statistics
import sys
import time as clock
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment

from engines import invoice_pdf as pdf_writer
from engines import vat
from engines.barcode import bar_code_svg
from engines.documents import Labels, invoice_document
from engines.epc_qr import epc_qr_svg
from engines.finvoice import Address, Buyer, Invoice, InvoiceRow, Seller
from engines.invoice_pdf import invoice_pdf
from engines.reference import format_reference

REPETITIONS = 30
LABELS = Labels(
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
DAY = date(2026, 3, 2)
GENERAL = vat.rate_on(vat.GENERAL, DAY)
HEALTH = vat.rate_on(vat.HEALTH_CARE, DAY)
VISIT = Invoice(
    number="2026-17", issue_date=date(2026, 3, 3), due_date=date(2026, 3, 17),
    seller=Seller("Hieronta Ahonen Oy", "2077474-0",
                  Address("Kauppakatu 3 B 12", "40100", "Jyväskylä"),
                  "FI37 1590 3000 0007 76", "HELSFIHH"),
    buyer=Buyer("Äijälä Liisa", Address("Koivukuja 5", "40520", "Jyväskylä")),
    rows=(InvoiceRow("Klassinen hieronta 60 min", 6900, Decimal(1), GENERAL, DAY),
          InvoiceRow("Fysioterapia 45 min", 6500, Decimal(1), HEALTH, DAY),
          InvoiceRow("Hierontaöljy 100 ml", 1490, Decimal(2), GENERAL, DAY)),
    reference="12 34561", penalty_interest_percent=Decimal("11.5"),
)
MONTH = replace(VISIT, rows=tuple(
    InvoiceRow(f"Klassinen hieronta 60 min, käynti {number + 1}", 6900, Decimal(1),
               GENERAL if number % 3 else HEALTH, DAY + timedelta(days=number % 28))
    for number in range(40)))

PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ labels.title }}
{{ document.number }}</title></head><body>
<header><h1>{{ labels.title }}</h1><p><strong>{{ document.seller.name }}</strong><br>
{% for line in document.seller.address %}{{ line }}<br>{% endfor %}
{{ labels.business_id }} {{ document.seller.business_id }}</p>
<dl><dt>{{ labels.number }}</dt><dd>{{ document.number }}</dd>
<dt>{{ labels.issue_date }}</dt><dd>{{ day(document.issue_date) }}</dd>
<dt>{{ labels.due_date }}</dt><dd>{{ day(document.due_date) }}</dd>
<dt>{{ labels.reference }}</dt><dd>{{ reference }}</dd></dl></header>
<section><h2>{{ labels.buyer }}</h2><p>{{ document.buyer.name }}<br>
{% for line in document.buyer.address %}{{ line }}<br>{% endfor %}</p></section>
<table><thead><tr><th>{{ labels.description }}</th><th>{{ labels.service_date }}</th>
<th>{{ labels.quantity }}</th><th>{{ labels.unit_price }}</th><th>{{ labels.vat_percent }}</th>
<th>{{ labels.vat }}</th><th>{{ labels.row_total }}</th></tr></thead><tbody>
{% for row in document.rows %}<tr><td>{{ row.description }}</td>
<td>{{ day(row.service_date) }}</td><td>{{ row.quantity }} {{ row.unit }}</td>
<td>{{ row.unit_net_price }}</td><td>{{ row.vat_percent }} %</td>
<td>{{ money(row.vat_cents) }}</td><td>{{ money(row.gross_cents) }}</td></tr>
{% endfor %}</tbody></table>
<table>{% for total in document.totals %}<tr><td>{{ total.vat_percent }} %
{{ total.exemption or "" }}</td><td>{{ money(total.net_cents) }}</td>
<td>{{ money(total.vat_cents) }}</td><td>{{ money(total.gross_cents) }}</td></tr>
{% endfor %}</table>
<p><strong>{{ labels.total_to_pay }} {{ money(document.total_cents) }}</strong></p>
<section>{{ qr | safe }}{{ bar_code | safe }}<p>{{ document.payment.bar_code }}</p></section>
</body></html>""")


def html_page(invoice):
    document = invoice_document(invoice, LABELS)
    return PAGE.render(
        document=document, labels=LABELS, language="fi",
        reference=format_reference(document.payment.reference),
        day=lambda value: format_date(value, format="short", locale="fi_FI"),
        money=lambda cents: format_currency(Decimal(cents).scaleb(-2), "EUR",
                                            locale="fi_FI"),
        qr=epc_qr_svg(document.payment.epc),
        bar_code=bar_code_svg(document.payment.bar_code),
    )


def pdf_file(invoice):
    return invoice_pdf(invoice_document(invoice, LABELS))


def pdf_file_font_anew(invoice):
    pdf_writer._MEASURED.clear()
    return pdf_file(invoice)


def median_ms(work, invoice):
    work(invoice)  # the first call imports and warms caches
    times = []
    for _ in range(REPETITIONS):
        started = clock.perf_counter()
        work(invoice)
        times.append((clock.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) "
        f"on {platform.system()} {platform.machine()}, {os.cpu_count()} cores; "
        f"median of {REPETITIONS} runs"
    )
    print(f"{'invoice':<16}{'PDF ms':>10}{'HTML ms':>10}{'ratio':>8}"
          f"{'PDF, font anew ms':>19}{'ratio':>8}{'PDF bytes':>11}")
    for name, invoice in (("visit, 3 rows", VISIT), ("month, 40 rows", MONTH)):
        anew = median_ms(pdf_file_font_anew, invoice)
        pdf = median_ms(pdf_file, invoice)
        html = median_ms(html_page, invoice)
        size = len(pdf_file(invoice))
        print(f"{name:<16}{pdf:>10.1f}{html:>10.1f}{pdf / html:>7.1f}×"
              f"{anew:>19.1f}{anew / html:>7.1f}×{size:>11,}")


if __name__ == "__main__":
    main()
