"""The Finnish reference number and its RF form, with the published vectors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engines.reference import (
    InvalidReference,
    format_reference,
    format_rf_reference,
    parse_payment_reference,
    parse_reference,
    parse_rf_reference,
    reference_number,
    rf_reference,
)

bases = st.integers(min_value=100, max_value=10**19 - 1)


def test_reference_of_123456_is_1234561():
    assert reference_number(123456) == "1234561"
    assert reference_number("123456") == "1234561"


def test_rf_form_of_11112_is_rf9811112():
    assert rf_reference("11112") == "RF9811112"
    assert format_rf_reference("RF9811112") == "RF98 1111 2"


def test_bar_code_guides_reference_and_its_rf_form():
    assert reference_number(86851625961989) == "868516259619897"
    assert rf_reference("868516259619897") == "RF09868516259619897"


def test_reference_is_printed_in_groups_of_five_from_the_right():
    assert format_reference("1234561") == "12 34561"
    assert format_reference("868516259619897") == "86851 62596 19897"
    assert format_reference("69875672083435364") == "69 87567 20834 35364"


def test_typed_reference_with_spaces_is_accepted():
    assert parse_reference(" 12 34561 ") == "1234561"
    assert parse_reference("86851 62596 19897") == "868516259619897"


@pytest.mark.parametrize("typed, code", [
    ("1234562", "check_digit"),
    ("12a4561", "format"),
    ("12", "format"),
    ("123456789012345678901", "format"),
])
def test_typed_reference_that_is_not_one_is_refused_with_why(typed, code):
    with pytest.raises(InvalidReference) as refused:
        parse_reference(typed)
    assert refused.value.code == code


@pytest.mark.parametrize("base", ["12", "01234", "12345678901234567890", "12 34"])
def test_base_must_be_3_to_19_digits(base):
    with pytest.raises(ValueError):
        reference_number(base)


def test_typed_rf_reference_is_checked():
    assert parse_rf_reference("rf98 1111 2") == "RF9811112"
    with pytest.raises(InvalidReference) as refused:
        parse_rf_reference("RF97 1111 2")
    assert refused.value.code == "check_digit"
    with pytest.raises(InvalidReference) as refused:
        parse_rf_reference("XX98 1111 2")
    assert refused.value.code == "format"


def test_payment_reference_may_be_typed_in_either_form():
    assert parse_payment_reference("12 34561") == "1234561"
    assert parse_payment_reference(" rf98 1111 2") == "RF9811112"
    with pytest.raises(InvalidReference):
        parse_payment_reference("RF98 1111 3")


@given(bases)
def test_every_reference_made_is_accepted_in_both_forms(base):
    reference = reference_number(base)
    assert parse_reference(format_reference(reference)) == reference
    assert parse_rf_reference(format_rf_reference(rf_reference(reference))) \
        == rf_reference(reference)


@given(bases, st.data())
def test_one_mistyped_digit_is_always_caught(base, data):
    reference = reference_number(base)
    position = data.draw(st.integers(min_value=1, max_value=len(reference) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != reference[position]]))
    mistyped = reference[:position] + wrong + reference[position + 1:]
    with pytest.raises(InvalidReference):
        parse_reference(mistyped)
