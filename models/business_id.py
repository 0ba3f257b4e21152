"""The Finnish business ID (Y-tunnus): seven digits, a dash and a check digit.

The check digit: the seven digits weighted 7, 9, 10, 5, 8, 4, 2 and summed; a remainder
(mod 11) of 0 gives 0, a remainder of 1 is never issued, any other gives 11 − remainder.
A pure computation, tested on its own.
"""

import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
# With the dash, or eight digits without it; an old six-digit ID only with its dash.
_SHAPE = re.compile(r"([0-9]{6,7})-([0-9])|([0-9]{7})([0-9])")


class InvalidBusinessId(ValueError):
    """Not a business ID; `code` says why: "format" or "check_digit"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def check_digit(digits):
    """The check digit of the seven digits, or None when no ID can have them."""
    if not re.fullmatch(r"[0-9]{7}", digits):
        raise ValueError("a business ID has seven digits before its check digit")
    weighted = (int(digit) * weight for digit, weight in zip(digits, WEIGHTS, strict=True))
    remainder = sum(weighted) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def normalise_business_id(text):
    """The ID as "1234567-8": spaces dropped, the dash added, and an old six-digit ID
    given its leading zero. Raises InvalidBusinessId."""
    match = _SHAPE.fullmatch(re.sub(r"\s", "", text))
    if match is None:
        raise InvalidBusinessId("format")
    digits = (match.group(1) or match.group(3)).zfill(7)
    given = int(match.group(2) or match.group(4))
    if check_digit(digits) != given:
        raise InvalidBusinessId("check_digit")
    return f"{digits}-{given}"
