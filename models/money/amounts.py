"""Euros and quantities as people type them, read exactly (never through a float)."""

import re
from decimal import Decimal, InvalidOperation

from models.money import Refused

# The largest row (and so invoice or receipt) the site takes: 999 999,99 €, which the
# bank's virtual bar code can also carry.
LARGEST_CENTS = 99_999_999
LARGEST_QUANTITY = Decimal("9999")


def _decimal(text):
    compact = re.sub(r"[\s\u00a0\u202f€]", "", str(text or "")).replace(",", ".")
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", compact):
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None


def parse_euros(text, field="price"):
    """'33,33' or '33.33 €' → 3333 cents. Refused("amount_invalid" | "amount_negative" |
    "amount_too_large")."""
    amount = _decimal(text)
    if amount is None or amount.as_tuple().exponent < -2:
        raise Refused("amount_invalid", field)
    if amount < 0:
        raise Refused("amount_negative", field)
    cents = int(amount * 100)
    if cents > LARGEST_CENTS:
        raise Refused("amount_too_large", field)
    return cents


def parse_quantity(text, field="quantity"):
    """'1', '1,5' → Decimal; more than zero, at most two decimals and LARGEST_QUANTITY."""
    quantity = _decimal(text)
    if quantity is None or quantity.as_tuple().exponent < -2:
        raise Refused("quantity_invalid", field)
    if quantity <= 0:
        raise Refused("quantity_not_positive", field)
    if quantity > LARGEST_QUANTITY:
        raise Refused("quantity_too_large", field)
    return quantity


def check_row_total(gross_cents, field="price"):
    if gross_cents > LARGEST_CENTS:
        raise Refused("amount_too_large", field)
