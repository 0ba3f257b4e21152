"""The business ID (Y-tunnus) check, with the published vectors."""

import pytest

from engines.business_id import InvalidBusinessId, normalise_business_id


def test_2077474_0_is_valid_and_2077474_1_is_not():
    assert normalise_business_id("2077474-0") == "2077474-0"
    with pytest.raises(InvalidBusinessId):
        normalise_business_id("2077474-1")


@pytest.mark.parametrize("typed", ["2077474-0", " 2077474 - 0 ", "20774740"])
def test_typed_business_id_is_kept_in_its_printed_form(typed):
    assert normalise_business_id(typed) == "2077474-0"


def test_old_six_digit_id_gets_its_leading_zero():
    assert normalise_business_id("737546-2") == "0737546-2"


@pytest.mark.parametrize("typed, code", [
    ("2077474-1", "check_digit"),
    ("FI20774740", "format"),
    ("207747-40", "format"),
    ("2077474", "format"),
    ("", "format"),
])
def test_business_id_that_is_not_one_is_refused_with_why(typed, code):
    with pytest.raises(InvalidBusinessId) as refused:
        normalise_business_id(typed)
    assert refused.value.code == code
