"""Finnish VAT: the rates by date of service, and the VAT of rows priced VAT included.

The rounding rule (one rule, row by row; all amounts integer cents):
  gross = unit price (VAT included, cents) × quantity, rounded half up to the cent;
  VAT   = gross × rate / (100 + rate), rounded half up to the cent;
  net   = gross − VAT.
The totals per rate are the sums of the rows' gross, VAT and net, so they add up to the
cent with the rows, and net + VAT = gross holds for every row and every total. Quantities
and rates are Decimal; no float is used anywhere.

The rates (arvonlisäverolaki 1501/1993, AVL, with its amendments):
- general rate: 24 % from 1.1.2013, 25.5 % for services and goods supplied from 1.9.2024;
- 14 %: food and restaurant and catering services from 1.1.2013;
- 10 %: sports and fitness services, the use of sports facilities, entry to cultural and
  sports events, books, medicines, passenger transport and accommodation, from 1.1.2013;
  these moved to 14 % from 1.1.2025 (government proposal HE 141/2024 vp; newspapers,
  periodicals and public broadcasting stayed at 10 %);
- the whole 14 % rate, the items moved in 2025 included, is 13.5 % from 1.1.2026
  (government proposal HE 93/2025 vp; public broadcasting moved from 10 % to 13.5 %);
- 10 % stays for newspapers and periodicals;
- 0 % (zero-rated sales, e.g. goods sold to another EU country's VAT-registered business);
- health care is exempt (AVL 34 §): e.g. physiotherapy by a licensed physiotherapist and
  health massage by a registered trained masseur (koulutettu hieroja);
- a business whose turnover is below the VAT threshold (AVL 3 §, vähäinen toiminta) is not
  registered for VAT and charges none.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HEALTH_CARE_EXEMPTION = "AVL 34 §"
SMALL_BUSINESS_EXEMPTION = "AVL 3 §"

GENERAL = "general"
FOOD_AND_RESTAURANT = "food_and_restaurant"
SPORTS_AND_CULTURE = "sports_and_culture"
NEWSPAPERS = "newspapers"
ZERO_RATED = "zero_rated"
HEALTH_CARE = "health_care"

_FIRST_DAY = date(2013, 1, 1)
# For each category, (first day, rate %) from the oldest; a rate holds until the next one.
RATE_TABLE = {
    GENERAL: ((_FIRST_DAY, Decimal("24")), (date(2024, 9, 1), Decimal("25.5"))),
    FOOD_AND_RESTAURANT: ((_FIRST_DAY, Decimal("14")), (date(2026, 1, 1), Decimal("13.5"))),
    SPORTS_AND_CULTURE: (
        (_FIRST_DAY, Decimal("10")),
        (date(2025, 1, 1), Decimal("14")),
        (date(2026, 1, 1), Decimal("13.5")),
    ),
    NEWSPAPERS: ((_FIRST_DAY, Decimal("10")),),
    ZERO_RATED: ((_FIRST_DAY, Decimal("0")),),
    HEALTH_CARE: ((_FIRST_DAY, Decimal("0")),),
}
_EXEMPTIONS = {HEALTH_CARE: HEALTH_CARE_EXEMPTION}


@dataclass(frozen=True)
class VatRate:
    """A rate in per cent; `exemption` is the legal reference of a sale without VAT."""

    percent: Decimal
    exemption: str | None = None


NO_VAT_BELOW_THRESHOLD = VatRate(Decimal("0"), SMALL_BUSINESS_EXEMPTION)


def rate_on(category, service_date):
    """The VAT rate of a category on the date of service. Raises KeyError for an unknown
    category and ValueError for a date before the table begins."""
    if service_date < _FIRST_DAY:
        raise ValueError(f"the VAT table begins on {_FIRST_DAY.isoformat()}")
    percent = next(rate for first_day, rate in reversed(RATE_TABLE[category])
                   if first_day <= service_date)
    return VatRate(percent, _EXEMPTIONS.get(category))


@dataclass(frozen=True)
class Row:
    """A row's amounts in cents: net + vat = gross."""

    rate: VatRate
    gross: int
    vat: int
    net: int


def _to_cents(amount):
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def row(unit_gross_cents, quantity, rate, vat_registered=True):
    """The row for a unit price VAT included (int cents, ≥ 0), a quantity (Decimal, > 0)
    and a VatRate. A business that is not registered for VAT gets rows with no VAT, under
    AVL 3 § unless the sale is exempt on its own (health care stays under AVL 34 §)."""
    if not isinstance(unit_gross_cents, int) or unit_gross_cents < 0:
        raise ValueError("a unit price is a whole number of cents, not negative")
    if isinstance(quantity, float):
        raise TypeError("a quantity is a Decimal, never a float")
    quantity = Decimal(quantity)
    if not quantity > 0:
        raise ValueError("a quantity is more than zero")
    if not vat_registered and rate.exemption is None:
        rate = NO_VAT_BELOW_THRESHOLD
    gross = _to_cents(unit_gross_cents * quantity)
    vat = _to_cents(gross * rate.percent / (100 + rate.percent))
    return Row(rate, gross, vat, gross - vat)


def totals_per_rate(rows):
    """The sums of the rows' gross, VAT and net for each rate, as Rows, highest rate first."""
    sums = defaultdict(lambda: [0, 0, 0])
    for each in rows:
        total = sums[each.rate]
        total[0] += each.gross
        total[1] += each.vat
        total[2] += each.net
    ordered = sorted(sums.items(), key=lambda item: (-item[0].percent, item[0].exemption or ""))
    return [Row(rate, gross, vat, net) for rate, (gross, vat, net) in ordered]


def unit_net_price(unit_gross_cents, rate):
    """The unit price without VAT in euros, to four decimals (half up), as an invoice row
    shows it; the row's own net amount comes from `row`, not from this."""
    euros = Decimal(unit_gross_cents) / (100 + rate.percent)
    return euros.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
