"""Invoices, credit notes, payment reminders and receipts as PDF, from the plain data of
engines/documents.py.

The caller passes everything already decided: the amounts, the bar code digits, the EPC
payment and every label in the reader's language; this module only lays them out and
formats numbers and dates for the document's language with Babel.

The text is set in DejaVu Sans, embedded (subset) from engines/fonts/ (Bitstream Vera
licence, beside the files), which has the euro sign, åäö and the letters of the names of
most of Europe. The font is read and measured once per process (`_kept_font`): each
document gets a copy of the measured font with a table of its own to subset, which
fontTools changes in place when the file is written.

A4 pages for the invoice and the receipt, and a receipt 80 mm wide for a receipt
printer, as one page as long as its content. Long names wrap and many rows run
onto more pages, the table's headings repeated; every page carries its number.
"""

import copy
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from fontTools import ttLib
from fpdf import FPDF, XPos, YPos
from fpdf.fonts import SubsetMap

from engines.barcode import code_128_modules
from engines.documents import Labels, Party, PaymentDetails
from engines.epc_qr import epc_qr_code
from engines.reference import format_reference, format_rf_reference, is_rf_reference

FONT_FOLDER = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}

A4 = "A4"
ROLL_80_MM = "80mm"

# Millimetres.
_MARGIN = 15
_ROLL_WIDTH = 80
_ROLL_MARGIN = 4
_BAR_MODULE = 0.25
_BAR_HEIGHT = 13
_QR_SIZE = 32
_PAYMENT_BOX_HEIGHT = 62


# Formatting --------------------------------------------------------------------------

class _Format:
    def __init__(self, language):
        self.locale = LOCALES.get(language, LOCALES["fi"])

    def money(self, cents):
        return format_currency(Decimal(cents).scaleb(-2), "EUR", locale=self.locale)

    def unit_price(self, euros):
        return format_currency(euros, "EUR", format="#,##0.00## ¤", locale=self.locale,
                               currency_digits=False)

    def number(self, value):
        return format_decimal(value, format="#,##0.###", locale=self.locale)

    def percent(self, value):
        return f"{format_decimal(value, format='#,##0.##', locale=self.locale)}\u00a0%"

    def day(self, value):
        return format_date(value, format="short", locale=self.locale)

    def moment(self, value):
        return f"{self.day(value)} {format_time(value, format='short', locale=self.locale)}"


_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def printable(text):
    """`text` with what a PDF line cannot show (control characters, unassigned code
    points, line breaks) as spaces."""
    return "".join(" " if unicodedata.category(char) in _UNPRINTABLE else char
                   for char in str(text))


# The PDF -----------------------------------------------------------------------------

class _Pdf(FPDF):
    """A page with its number (and the seller's name) at the foot."""

    def __init__(self, page_format, footer_text, page_label, margin):
        super().__init__(unit="mm", format=page_format)
        self.footer_text = footer_text
        self.page_label = page_label
        self.set_margins(margin, margin, margin)
        # Cells pad themselves where they need to: text fills the width it is given.
        self.c_margin = 0
        for style, file_name in _FONT_FILES.items():
            self.fonts[f"{FONT.lower()}{style}"] = _kept_font(self, style, file_name)
        self.set_font(FONT, size=10)

    def footer(self):
        if self.page_label is None:
            return
        self.set_y(-12)
        self.set_font(FONT, size=8)
        page = self.page_label % {"page": self.page_no(), "pages": self.str_alias_nb_pages}
        self.cell(0, 4, printable(f"{self.footer_text}   {page}"), align="C")


_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# The fonts as fpdf2 measured them (the character widths, the glyph ids: the slow part
# of add_font), and their files' bytes, by style; filled on first use.
_MEASURED = {}
_MEASURING = threading.Lock()


def _kept_font(pdf, style, file_name):
    """The font of `style` for `pdf`: fpdf2's TTFFont measured once per process, copied
    with what is the document's own (its number in the file, the characters it uses,
    and a fontTools table read from the kept bytes, for the subsetter to cut down)."""
    with _MEASURING:
        if style not in _MEASURED:
            path = FONT_FOLDER / file_name
            measuring = FPDF()
            measuring.add_font(FONT, style, path)
            measured = measuring.fonts[f"{FONT.lower()}{style}"]
            measured.ttfont.close()
            _MEASURED[style] = (measured, path.read_bytes())
    measured, data = _MEASURED[style]
    font = copy.copy(measured)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(BytesIO(data), recalcTimestamp=False, lazy=True)
    font.cw = copy.copy(measured.cw)
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


def _new_pdf(page_format, footer_text, page_label, margin, title, language, moment):
    pdf = _Pdf(page_format, footer_text, page_label, margin)
    pdf.set_title(printable(title))
    pdf.set_lang(language)
    pdf.set_creator("Vuoro")
    # The document's date, not the moment it was drawn: the same data, the same file.
    pdf.set_creation_date(moment)
    return pdf


def _moment(day):
    return datetime.combine(day, time(12), tzinfo=UTC)


def _text(pdf, width, text, size=10, bold=False, height=None, align="L"):
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(width, height or size * 0.5, printable(text), align=align,
                   new_x=XPos.LMARGIN if width == 0 else XPos.LEFT, new_y=YPos.NEXT)


def _pairs(pdf, x, label_width, value_width, pairs, size=9):
    """Labels and values in two columns from `x`, one pair a line (a value may wrap)."""
    pdf.set_font(FONT, "", size)
    for label, value in pairs:
        top = pdf.get_y()
        pdf.set_x(x)
        pdf.set_font(FONT, "B", size)
        pdf.multi_cell(label_width, size * 0.5, printable(label), new_x=XPos.RIGHT,
                       new_y=YPos.TOP)
        label_bottom = pdf.get_y()
        pdf.set_xy(x + label_width, top)
        pdf.set_font(FONT, "", size)
        pdf.multi_cell(value_width, size * 0.5, printable(value), new_x=XPos.LEFT,
                       new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), label_bottom, top + size * 0.5))


def _party_lines(party, labels):
    lines = [*party.address]
    if party.business_id:
        lines.append(f"{labels.business_id} {party.business_id}")
    return [*lines, *party.contact]


@dataclass(frozen=True)
class _Page:
    """What the A4 layout prints, whatever the document."""

    language: str
    labels: Labels
    seller: Party
    buyer: Party | None
    info: tuple
    refers_to: str | None
    rows: tuple
    totals: tuple
    total_label: str
    total_cents: int
    notes: tuple
    payment: PaymentDetails | None
    due_date: date | None
    moment: datetime


def invoice_pdf(document):
    """An invoice, credit note or reminder as A4 PDF bytes."""
    labels, fmt = document.labels, _Format(document.language)
    info = [(labels.number, document.number),
            (labels.issue_date, fmt.day(document.issue_date))]
    if document.due_date and document.payment:
        info.append((labels.due_date, fmt.day(document.due_date)))
    if document.payment:
        info.append((labels.reference, format_reference(document.payment.reference)
                     if not is_rf_reference(document.payment.reference)
                     else format_rf_reference(document.payment.reference)))
    if document.penalty_interest_percent is not None and document.payment:
        info.append((labels.penalty_interest, fmt.percent(document.penalty_interest_percent)))
    if document.buyer_reference:
        info.append((labels.buyer_reference, document.buyer_reference))
    return _a4(_Page(
        document.language, labels, document.seller, document.buyer, tuple(info),
        document.refers_to, document.rows, document.totals, labels.total_to_pay,
        document.total_cents, document.notes, document.payment, document.due_date,
        _moment(document.issue_date)))


def receipt_pdf(receipt, paper=A4):
    """A receipt as PDF bytes: on A4, or (paper=ROLL_80_MM) one page 80 mm wide."""
    if paper == ROLL_80_MM:
        return _roll(receipt)
    if paper != A4:
        raise ValueError(f"a receipt is printed on {A4} or {ROLL_80_MM}")
    labels, fmt = receipt.labels, _Format(receipt.language)
    info = ((labels.number, receipt.number), (labels.time, fmt.moment(receipt.paid_at)),
            (labels.payment_method, receipt.payment_method))
    return _a4(_Page(
        receipt.language, labels, receipt.seller, receipt.buyer, info, None, receipt.rows,
        receipt.totals, labels.paid, receipt.total_cents, receipt.notes, None, None,
        receipt.paid_at if receipt.paid_at.tzinfo else receipt.paid_at.replace(tzinfo=UTC)))


def _a4(page):
    labels = page.labels
    footer = " · ".join(part for part in (page.seller.name, page.seller.business_id and
                                          f"{labels.business_id} {page.seller.business_id}")
                        if part)
    pdf = _new_pdf("A4", footer, labels.page, _MARGIN, f"{labels.title} {page.info[0][1]}",
                   page.language, page.moment)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _heading(pdf, page)
    _rows(pdf, page)
    _totals(pdf, page)
    if page.payment:
        _payment(pdf, page)
    return _finished(pdf)


def _finished(pdf):
    """The file's bytes, and the font files fpdf2 reads lazily closed."""
    try:
        return bytes(pdf.output())
    finally:
        for font in pdf.fonts.values():
            font.ttfont.close()


def _heading(pdf, page):
    labels = page.labels
    top = pdf.get_y()
    _text(pdf, 100, page.seller.name, size=13, bold=True)
    for line in _party_lines(page.seller, labels):
        _text(pdf, 100, line, size=9)
    left_bottom = pdf.get_y()
    pdf.set_xy(120, top)
    _text(pdf, 75, labels.title, size=17, bold=True, align="R")
    pdf.ln(2)
    _pairs(pdf, 120, 38, 37, page.info)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    if page.buyer:
        _text(pdf, 100, labels.buyer, size=8, bold=True)
        _text(pdf, 100, page.buyer.name, size=11, bold=True)
        for line in _party_lines(page.buyer, labels):
            _text(pdf, 100, line, size=10)
        pdf.ln(4)
    if page.refers_to:
        _text(pdf, 0, page.refers_to, size=10, bold=True)
        pdf.ln(2)


_ROW_WIDTHS = (49, 25, 16, 25, 15, 22, 28)
_ROW_ALIGN = ("L", "L", "R", "R", "R", "R", "R")
_TOTAL_WIDTHS = (60, 40, 40, 40)
_TOTAL_ALIGN = ("L", "R", "R", "R")
_LINE = 4.2
_PAD = 1


@dataclass(frozen=True)
class _Table:
    """Columns of fixed widths: each cell's text wrapped to its width, a row as tall as
    its tallest cell, the heading repeated on every page the rows run onto."""

    widths: tuple
    align: tuple
    heading: tuple
    size: float = 8.5

    def lines(self, pdf, cells, bold=False):
        pdf.set_font(FONT, "B" if bold else "", self.size)
        return [pdf.multi_cell(width - 2 * _PAD, _LINE, printable(text), dry_run=True,
                               output="LINES") or [""]
                for width, text in zip(self.widths, cells, strict=True)]

    def draw_heading(self, pdf):
        lines = self.lines(pdf, self.heading, bold=True)
        self._draw(pdf, lines, 0, max(map(len, lines)), fill=True)

    def draw_row(self, pdf, cells):
        lines = self.lines(pdf, cells)
        count, first = max(map(len, lines)), 0
        while first < count:
            room = int((pdf.page_break_trigger - pdf.get_y() - 2 * _PAD) // _LINE)
            if room < min(count - first, 3):
                pdf.add_page()
                self.draw_heading(pdf)
                continue
            last = min(count, first + room)
            self._draw(pdf, lines, first, last)
            first = last

    def _draw(self, pdf, lines, first, last, fill=False):
        """Lines `first` to `last` of each cell, and the rule under them."""
        pdf.set_font(FONT, "B" if fill else "", self.size)
        left, top = pdf.l_margin, pdf.get_y()
        height = (last - first) * _LINE + 2 * _PAD
        if fill:
            pdf.set_fill_color(230)
            pdf.rect(left, top, sum(self.widths), height, style="F")
        x = left
        for width, cell_lines, align in zip(self.widths, lines, self.align, strict=True):
            for number, line in enumerate(cell_lines[first:last]):
                pdf.set_xy(x + _PAD, top + _PAD + number * _LINE)
                pdf.cell(width - 2 * _PAD, _LINE, line, align=align)
            x += width
        pdf.set_draw_color(120)
        pdf.line(left, top + height, left + sum(self.widths), top + height)
        pdf.set_xy(left, top + height)


def _rows(pdf, page):
    labels, fmt = page.labels, _Format(page.language)
    table = _Table(_ROW_WIDTHS, _ROW_ALIGN, (
        labels.description, labels.service_date, labels.quantity, labels.unit_price,
        labels.vat_percent, labels.vat, labels.row_total))
    table.draw_heading(pdf)
    for row in page.rows:
        table.draw_row(pdf, (
            row.description, fmt.day(row.service_date) if row.service_date else "",
            f"{fmt.number(row.quantity)} {row.unit}".strip(),
            fmt.unit_price(row.unit_net_price), fmt.percent(row.vat_percent),
            fmt.money(row.vat_cents), fmt.money(row.gross_cents)))
    pdf.ln(4)


def _totals(pdf, page):
    labels, fmt = page.labels, _Format(page.language)
    if pdf.will_page_break(12 + 8 * len(page.totals)):
        pdf.add_page()
    _text(pdf, 0, labels.vat_breakdown, size=9, bold=True)
    table = _Table(_TOTAL_WIDTHS, _TOTAL_ALIGN, (
        labels.vat_percent, labels.taxable_amount, labels.vat, labels.total))
    table.draw_heading(pdf)
    for total in page.totals:
        rate = fmt.percent(total.vat_percent)
        if total.exemption:
            rate = f"{rate} ({total.exemption})"
        table.draw_row(pdf, (rate, fmt.money(total.net_cents), fmt.money(total.vat_cents),
                             fmt.money(total.gross_cents)))
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(120, 7, printable(page.total_label))
    pdf.cell(60, 7, printable(fmt.money(page.total_cents)), align="R",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for note in page.notes:
        _text(pdf, 0, note, size=9)
        pdf.ln(1)


def _payment(pdf, page):
    labels, fmt, payment = page.labels, _Format(page.language), page.payment
    if pdf.will_page_break(_PAYMENT_BOX_HEIGHT):
        pdf.add_page()
    pdf.ln(2)
    top = pdf.get_y()
    pdf.set_draw_color(0)
    pdf.line(_MARGIN, top, 210 - _MARGIN, top)
    pdf.set_y(top + 3)
    pairs = [(labels.iban, _grouped_iban(payment.iban)), (labels.bic, payment.bic)]
    if is_rf_reference(payment.reference):
        pairs.append((labels.rf_reference, format_rf_reference(payment.reference)))
    else:
        pairs.append((labels.reference, format_reference(payment.reference)))
        if payment.rf_reference:
            pairs.append((labels.rf_reference, format_rf_reference(payment.rf_reference)))
    if page.due_date:
        pairs.append((labels.due_date, fmt.day(page.due_date)))
    pairs.append((labels.total_to_pay, fmt.money(page.total_cents)))
    _pairs(pdf, _MARGIN, 46, 82, pairs, size=10)
    if payment.epc:
        _qr_code(pdf, payment.epc, 210 - _MARGIN - _QR_SIZE, top + 2)
        pdf.set_xy(210 - _MARGIN - 50, top + 3 + _QR_SIZE)
        _text(pdf, 50, labels.qr_code, size=7, align="R")
    if payment.bar_code:
        pdf.set_y(max(pdf.get_y(), top + 40) + 2)
        _text(pdf, 0, labels.bar_code, size=7)
        _bar_code(pdf, payment.bar_code, _MARGIN, pdf.get_y() + 1)
        pdf.set_y(pdf.get_y() + _BAR_HEIGHT + 2)
        pdf.set_font(FONT, "", 8)
        pdf.cell(0, 4, payment.bar_code, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _grouped_iban(iban):
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[start:start + 4] for start in range(0, len(compact), 4))


def _bar_code(pdf, digits, x, y):
    """The Code 128 bars (quiet zones included), `_BAR_MODULE` mm a module."""
    pdf.set_fill_color(0)
    modules = code_128_modules(digits)
    start = None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module == "0" and start is not None:
            pdf.rect(x + start * _BAR_MODULE, y, (index - start) * _BAR_MODULE, _BAR_HEIGHT,
                     style="F")
            start = None


def _qr_code(pdf, payment, x, y):
    """The EPC QR code, `_QR_SIZE` mm square with its quiet zone, dark runs as boxes."""
    matrix = list(epc_qr_code(payment).matrix_iter(border=4))
    module = _QR_SIZE / len(matrix)
    pdf.set_fill_color(0)
    for row_index, row in enumerate(matrix):
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(x + start * module, y + row_index * module,
                         (column - start) * module, module, style="F")
                start = None


# The receipt 80 mm wide -----------------------------------------------------------------

def _roll(receipt):
    """Drawn twice: first to learn how long the strip is, then on a page that long."""
    measured = _draw_roll(receipt, 2000)
    height = measured.get_y() + _ROLL_MARGIN
    for font in measured.fonts.values():
        font.ttfont.close()
    return _finished(_draw_roll(receipt, height))


def _draw_roll(receipt, height):
    labels, fmt = receipt.labels, _Format(receipt.language)
    moment = receipt.paid_at if receipt.paid_at.tzinfo else receipt.paid_at.replace(tzinfo=UTC)
    pdf = _new_pdf((_ROLL_WIDTH, height), "", None, _ROLL_MARGIN,
                   f"{labels.title} {receipt.number}", receipt.language, moment)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = _ROLL_WIDTH - 2 * _ROLL_MARGIN
    _text(pdf, width, receipt.seller.name, size=11, bold=True, align="C")
    for line in _party_lines(receipt.seller, labels):
        _text(pdf, width, line, size=8, align="C")
    pdf.ln(2)
    _text(pdf, width, f"{labels.title} {receipt.number}", size=10, bold=True, align="C")
    _text(pdf, width, fmt.moment(receipt.paid_at), size=8, align="C")
    if receipt.buyer:
        _text(pdf, width, f"{labels.buyer}: {receipt.buyer.name}", size=8)
    _rule(pdf)
    for row in receipt.rows:
        _text(pdf, width, row.description, size=8.5)
        _amount_line(pdf, width, f"{fmt.number(row.quantity)} {row.unit} × "
                     f"{fmt.unit_price(row.unit_net_price)} + {labels.vat} "
                     f"{fmt.percent(row.vat_percent)}", fmt.money(row.gross_cents), 7.5)
    _rule(pdf)
    _amount_line(pdf, width, labels.paid, fmt.money(receipt.total_cents), 11, bold=True)
    _amount_line(pdf, width, labels.payment_method, receipt.payment_method, 8)
    _rule(pdf)
    _text(pdf, width, labels.vat_breakdown, size=7.5, bold=True)
    for total in receipt.totals:
        rate = fmt.percent(total.vat_percent)
        if total.exemption:
            rate = f"{rate} ({total.exemption})"
        _amount_line(pdf, width, f"{labels.vat} {rate}: {labels.taxable_amount} "
                     f"{fmt.money(total.net_cents)}", fmt.money(total.vat_cents), 7.5)
    for note in receipt.notes:
        pdf.ln(1)
        _text(pdf, width, note, size=7.5, align="C")
    return pdf


def _rule(pdf):
    pdf.ln(1)
    pdf.set_draw_color(0)
    pdf.line(_ROLL_MARGIN, pdf.get_y(), _ROLL_WIDTH - _ROLL_MARGIN, pdf.get_y())
    pdf.ln(1.5)


def _amount_line(pdf, width, text, amount, size, bold=False):
    """A text that may wrap, and its amount at the right of its last line."""
    amount_width = 26
    top = pdf.get_y()
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(width - amount_width, size * 0.45, printable(text), new_x=XPos.LEFT,
                   new_y=YPos.NEXT)
    bottom = pdf.get_y()
    pdf.set_xy(_ROLL_MARGIN + width - amount_width, bottom - size * 0.45)
    pdf.cell(amount_width, size * 0.45, printable(amount), align="R")
    pdf.set_xy(_ROLL_MARGIN, max(bottom, top + size * 0.45))
