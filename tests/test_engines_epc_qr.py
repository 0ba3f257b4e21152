"""The EPC QR payment code: its text and the QR code drawn from it."""

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree
from segno import helpers

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


def test_due_date_is_given_to_the_bank_app_as_the_requested_execution_date():
    payment = EpcPayment("Parturi Äijälä", "FI37 1590 3000 0007 76", 4550, "12 34561",
                         due_date=date(2026, 3, 17))
    assert epc_qr_text(payment).split("\n")[9:] == ["1234561", "", "ReqdExctnDt/2026-03-17"]


def test_qr_code_is_the_one_segnos_epc_helper_draws():
    # segno's own EPC helper knows no due date; without one, both must draw the same code.
    drawn = epc_qr_code(PAYMENT)
    assert drawn.error == "M"
    by_helper = helpers.make_epc_qr(name="Hieronta Ahonen Oy", iban="FI3715903000000776",
                                    amount=Decimal("12.25"), reference="RF9811112",
                                    bic="HELSFIHH", encoding="utf-8")
    assert drawn.matrix == by_helper.matrix


def test_qr_code_svg_is_a_standalone_svg_document():
    svg = etree.fromstring(epc_qr_svg(PAYMENT).encode())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("payment", [
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 77", 1225, "11112"),
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 76", 1225, "11113"),
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 76", 0, "11112"),
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 76", 1225, "11112", bic="HELS"),
    EpcPayment("H" * 71, "FI37 1590 3000 0007 76", 1225, "11112"),
    EpcPayment("Hieronta Oy", "FI37 1590 3000 0007 76", 100_000_000_000, "11112"),
])
def test_payment_that_cannot_be_paid_is_refused(payment):
    for draw in (epc_qr_code, epc_qr_text):
        with pytest.raises(ValueError):
            draw(payment)
