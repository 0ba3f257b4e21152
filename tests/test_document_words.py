"""The words of invoices and receipts, and of the accounting CSV header, in each of the
site's languages: a customer's PDF speaks their language."""

import io
from dataclasses import replace

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from test_engines_invoice_pdf import INVOICE

from engines.accounting_csv import COLUMNS
from engines.documents import invoice_document
from engines.finvoice import Buyer
from engines.invoice_pdf import invoice_pdf
from web import document_words
from web.document_words import (
    CREDIT_NOTE,
    RECEIPT,
    REMINDER,
    accounting_csv_header,
    document_labels,
)


def labels_in(app, language, kind=document_words.INVOICE):
    with app.test_request_context(), force_locale(language):
        return document_labels(kind)


@pytest.mark.parametrize("language, title, to_pay, page", [
    ("fi", "LASKU", "Maksettava yhteensä 99,99 €", "Sivu 1 / 1"),
    ("sv", "FAKTURA", "Att betala 99,99 €", "Sida 1 / 1"),
    ("en", "INVOICE", "Total to pay 99,99 €", "Page 1 / 1"),
])
def test_invoice_pdf_is_in_the_buyers_language(app, language, title, to_pay, page):
    invoice = replace(INVOICE, buyer=Buyer("Liisa", None, language=language))
    pdf = invoice_pdf(invoice_document(invoice, labels_in(app, language)))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\u00a0", " ")
    assert title in text and to_pay in text and page in text


def test_every_document_has_its_own_title_in_every_language(app):
    for language in ("fi", "sv", "en"):
        titles = {labels_in(app, language, kind).title
                  for kind in (document_words.INVOICE, CREDIT_NOTE, REMINDER, RECEIPT)}
        assert len(titles) == 4
    assert labels_in(app, "fi", RECEIPT).title == "KUITTI"
    assert labels_in(app, "sv", CREDIT_NOTE).title == "KREDITNOTA"
    assert labels_in(app, "fi", REMINDER).title == "MAKSUMUISTUTUS"


def test_accounting_header_names_every_column_in_finnish(app):
    with app.test_request_context(), force_locale("fi"):
        header = accounting_csv_header()
    assert len(header) == len(COLUMNS)
    assert header[:3] == ("Päiväys", "Tositenumero", "Tili")
