"""The Finnish business ID (Y-tunnus), checked with python-stdnum: seven digits, a dash
and a check digit (weights 7, 9, 10, 5, 8, 4, 2, mod 11)."""

import re

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import alv, ytunnus


class InvalidBusinessId(ValueError):
    """Not a business ID; `code` says why: "format" or "check_digit"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def normalise_business_id(text):
    """The ID as "1234567-8", from what was typed (spaces allowed, the dash optional; an
    old six-digit ID with its dash gets its leading zero). Raises InvalidBusinessId."""
    typed = re.sub(r"\s", "", text)
    if re.fullmatch(r"[0-9]{6}-[0-9]", typed):
        typed = f"0{typed}"
    if not re.fullmatch(r"[0-9]{7}-?[0-9]", typed):
        raise InvalidBusinessId("format")
    try:
        return ytunnus.format(ytunnus.validate(typed))
    except ValidationError as error:
        code = "check_digit" if isinstance(error, InvalidChecksum) else "format"
        raise InvalidBusinessId(code) from error


def check_digit(digits):
    """The check digit that completes seven digits, or None where no ID can have them
    (the weighted sum leaves 1). stdnum's own checksum, asked for each digit."""
    if not re.fullmatch(r"[0-9]{7}", digits):
        raise ValueError("a business ID has seven digits before its check digit")
    fitting = [digit for digit in "0123456789" if alv.checksum(digits + digit) == 0]
    return int(fitting[0]) if fitting else None
