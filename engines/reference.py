"""The Finnish reference number (viitenumero) and its international RF form (ISO 11649).

A Finnish reference is a base of 3 to 19 digits followed by one check digit: the base's
digits, from the right, are weighted 7, 3, 1, 7, 3, 1, ...; the check digit takes the sum
up to the next multiple of ten. Banks print it in groups of five digits from the right.
The RF form puts "RF" and two ISO 7064 (mod 97-10) check digits before the same digits.
"""

import re

from stdnum import iso11649
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.iso7064 import mod_97_10

_WEIGHTS = (7, 3, 1)


class InvalidReference(ValueError):
    """Not a reference; `code` says why: "format" or "check_digit"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def check_digit(base):
    """The 7-3-1 check digit of a base of digits."""
    weighted = (int(digit) * _WEIGHTS[position % 3]
                for position, digit in enumerate(reversed(base)))
    return -sum(weighted) % 10


def reference_number(base):
    """The reference for a base (an int or a string of 3–19 digits): the base and its
    check digit, e.g. 123456 → "1234561"."""
    base = str(base)
    if not re.fullmatch(r"[1-9][0-9]{2,18}", base):
        raise ValueError("a reference's base is 3 to 19 digits, not starting with 0")
    return f"{base}{check_digit(base)}"


def format_reference(reference):
    """The reference as banks print it, in groups of five from the right:
    "1234561" → "12 34561"."""
    head = len(reference) % 5
    groups = [reference[:head]] if head else []
    groups += [reference[start:start + 5] for start in range(head, len(reference), 5)]
    return " ".join(groups)


def parse_reference(text):
    """A typed Finnish reference (spaces allowed) as its digits. Raises InvalidReference."""
    digits = re.sub(r"\s", "", text).lstrip("0")
    if not re.fullmatch(r"[0-9]{4,20}", digits):
        raise InvalidReference("format")
    if check_digit(digits[:-1]) != int(digits[-1]):
        raise InvalidReference("check_digit")
    return digits


def rf_reference(reference):
    """The RF form of a Finnish reference: "11112" → "RF9811112"."""
    return f"RF{mod_97_10.calc_check_digits(reference + 'RF')}{reference}"


def format_rf_reference(rf):
    """The RF reference in groups of four, as ISO 11649 prints it: "RF98 1111 2"."""
    return iso11649.format(rf)


def parse_rf_reference(text):
    """A typed RF reference (spaces allowed) in its compact form. Raises InvalidReference."""
    try:
        return iso11649.validate(text)
    except ValidationError as error:
        code = "check_digit" if isinstance(error, InvalidChecksum) else "format"
        raise InvalidReference(code) from error


def is_rf_reference(reference):
    return reference.strip().upper().startswith("RF")


def parse_payment_reference(text):
    """A typed reference, Finnish or RF, in its compact form. Raises InvalidReference."""
    return parse_rf_reference(text) if is_rf_reference(text) else parse_reference(text)
