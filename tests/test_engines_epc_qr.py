"""The EPC QR payment code: its text and the QR code drawn from it."""

import pytest
import segno
from lxml import etree

from engines.epc_qr import EpcPayment, epc_qr_code, epc_qr_svg, epc_qr_text

PAYMENT = EpcPayment(payee="Hieronta Ahonen Oy", iban="FI37 1590 3000 0007 76",
                     amount_cents=1225, reference="RF98 1111 2", bic="HELSFIHH")


def test_epc_text_has_the_fields_in_the_standards_order():
    assert epc_qr_text(PAYMENT).split("\n") == [
        "BCD", "002", "1", "SCT", "HELSFIHH", "Hieronta Ahonen Oy", "FI3715903000000776",
        "EUR12.25", "", "RF9811112",
    ]


def test_bic_may_be_left_out_and_finnish_reference_goes_in_the_reference_field():
    payment = EpcPayment("Parturi Äijälä", "FI37 1590 3000 0007 76", 4550, "12 34561")
    lines = epc_qr_text(payment).split("\n")
    assert lines[4] == ""
    assert lines[5] == "Parturi Äijälä"
    assert lines[7] == "EUR45.5"
    assert lines[9] == "1234561"


def test_qr_code_holds_exactly_the_epc_text_at_level_m():
    for payment in (PAYMENT, EpcPayment("Parturi Äijälä", "FI3715903000000776", 100, "11112")):
        drawn = epc_qr_code(payment)
        assert drawn.error == "M"
        made_from_text = segno.make_qr(epc_qr_text(payment).encode("utf-8"), error="m",
                                       boost_error=False)
        assert drawn.matrix == made_from_text.matrix


def test_qr_code_svg_is_a_standalone_svg_document():
    svg = etree.fromstring(epc_qr_svg(PAYMENT).encode())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("payment", [
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 77", 1225, "11112"),
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 76", 1225, "11113"),
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 76", 0, "11112"),
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 76", 1225, "11112", bic="HELS"),
    EpcPayment("H" * 71, "FI37 1590 3000 0007 76", 1225, "11112"),
])
def test_payment_that_cannot_be_paid_is_refused(payment):
    for draw in (epc_qr_code, epc_qr_text):
        with pytest.raises(ValueError):
            draw(payment)
