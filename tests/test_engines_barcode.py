"""The bank's virtual bar code, with the vectors of Finance Finland's bar code guide, and
its drawing as Code 128."""

import re
from datetime import date

import pytest
from lxml import etree

from engines.barcode import bar_code_svg, code_128_c_symbols, code_128_modules, virtual_bar_code
from engines.reference import InvalidReference

GUIDE_VECTOR = "437159030000007760000122500000000000000000011112161221"


@pytest.mark.parametrize("iban, cents, reference, due, expected", [
    ("FI37 1590 3000 0007 76", 1225, "11112", date(2016, 12, 21), GUIDE_VECTOR),
    ("FI79 4405 2020 0360 82", 488315, "86851 62596 19897", date(2010, 6, 12),
     "479440520200360820048831500000000868516259619897100612"),
    ("FI58 1017 1000 0001 22", 48299, "55958 22432 94671", date(2012, 1, 31),
     "458101710000001220004829900000000559582243294671120131"),
    ("FI02 5000 4640 0013 02", 69380, "69 87567 20834 35364", date(2011, 7, 24),
     "402500046400013020006938000000069875672083435364110724"),
    ("FI16 8000 1400 0502 67", 93585, "78 77767 96566 28687", None,
     "416800014000502670009358500000078777679656628687000000"),
    ("FI73 3131 3001 0000 58", 0, "8 68624", date(2013, 8, 9),
     "473313130010000580000000000000000000000000868624130809"),
    ("FI83 3301 0001 1007 75", 15000020, "92125 37425 25398 97737", date(2016, 5, 25),
     "483330100011007751500002000092125374252539897737160525"),
    ("FI92 3939 0001 0033 91", 2, "13 57914", date(2099, 12, 24),
     "492393900010033910000000200000000000000001357914991224"),
    ("FI79 4405 2020 0360 82", 488315, "RF09 8685 1625 9619 897", date(2010, 6, 12),
     "579440520200360820048831509000000868516259619897100612"),
    ("FI39 3636 3002 0924 92", 103, "RF66 5907 3839 0", date(2023, 3, 11),
     "539363630020924920000010366000000000000590738390230311"),
])
def test_bar_code_guide_vectors(iban, cents, reference, due, expected):
    assert virtual_bar_code(iban, cents, reference, due) == expected


def test_rf_reference_gives_version_5_with_its_check_digits():
    digits = virtual_bar_code("FI37 1590 3000 0007 76", 1225, "RF98 1111 2", date(2016, 12, 21))
    assert digits == "5" "3715903000000776" "000012" "25" "98" "000000000000000011112" "161221"


def test_invoice_without_due_date_ends_in_zeros():
    digits = virtual_bar_code("FI37 1590 3000 0007 76", 1225, "11112")
    assert digits == GUIDE_VECTOR[:48] + "000000"


def test_amount_too_large_for_the_code_is_left_for_the_payer_to_type():
    largest = virtual_bar_code("FI37 1590 3000 0007 76", 99_999_999, "11112")
    assert largest[17:25] == "99999999"
    too_large = virtual_bar_code("FI37 1590 3000 0007 76", 100_000_000, "11112")
    assert too_large[17:25] == "00000000"
    assert len(too_large) == 54


@pytest.mark.parametrize("iban, cents, reference, error", [
    ("FI37 1590 3000 0007 77", 1225, "11112", ValueError),
    ("DE89 3704 0044 0532 0130 00", 1225, "11112", ValueError),
    ("FI37 1590 3000 0007 76", -1, "11112", ValueError),
    ("FI37 1590 3000 0007 76", 1225, "11113", InvalidReference),
    ("FI37 1590 3000 0007 76", 1225, "RF97 1111 2", InvalidReference),
    ("FI37 1590 3000 0007 76", 1225, "RF18 5390 0754 70Y", InvalidReference),
])
def test_bar_code_refuses_what_is_not_payable(iban, cents, reference, error):
    with pytest.raises(error):
        virtual_bar_code(iban, cents, reference)


def test_code_128_c_symbols_and_check_of_guide_vector():
    symbols = code_128_c_symbols(GUIDE_VECTOR)
    assert symbols[0] == 105 and symbols[-1] == 106
    assert symbols[1:4] == [43, 71, 59]
    pairs = symbols[1:-2]
    assert symbols[-2] == (105 + sum(i * pair for i, pair in enumerate(pairs, 1))) % 103


def test_code_128_modules_of_guide_vector():
    # The same modules as python-barcode 0.16.1 draws for these digits (checked once by
    # hand; that library is not a dependency), between the ten-module quiet zones.
    expected = (
        "11010011100101100011101001101000011100011010100100110001101100110011011001100110"
        "11001100111101110101110111101011011001100110011011001100111010011000101110110110"
        "01100110110011001101100110011011001100110110011001101100110011011001100110110011"
        "00110011011001100010010010110011100100111011001011001110011011100100110010100001"
        "100011101011"
    )
    assert code_128_modules(GUIDE_VECTOR) == "0" * 10 + expected + "0" * 10


def test_code_128_refuses_an_odd_number_of_digits():
    with pytest.raises(ValueError):
        code_128_c_symbols("123")


def test_bar_code_svg_draws_every_bar_at_its_size():
    svg = etree.fromstring(bar_code_svg(GUIDE_VECTOR).encode())
    modules = code_128_modules(GUIDE_VECTOR)
    assert svg.get("viewBox") == f"0 0 {len(modules)} 1"
    assert svg.get("width") == f"{len(modules) * 0.25:g}mm"
    path = svg.find("{http://www.w3.org/2000/svg}path").get("d")
    drawn = [(int(x), int(w)) for x, w in re.findall(r"M(\d+) 0h(\d+)", path)]
    assert drawn == [(m.start(), len(m.group())) for m in re.finditer("1+", modules)]
