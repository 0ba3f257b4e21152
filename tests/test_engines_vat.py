"""VAT rates by date of service, and the VAT of rows priced VAT included."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engines.vat import (
    FOOD_AND_RESTAURANT,
    GENERAL,
    HEALTH_CARE,
    NEWSPAPERS,
    SPORTS_AND_CULTURE,
    ZERO_RATED,
    Row,
    VatRate,
    rate_on,
    row,
    totals_per_rate,
    unit_net_price,
)

GENERAL_NOW = VatRate(Decimal("25.5"))


@pytest.mark.parametrize("category, service_date, percent", [
    (GENERAL, date(2024, 8, 31), "24"),
    (GENERAL, date(2024, 9, 1), "25.5"),
    (SPORTS_AND_CULTURE, date(2024, 12, 31), "10"),
    (SPORTS_AND_CULTURE, date(2025, 1, 1), "14"),
    (SPORTS_AND_CULTURE, date(2025, 12, 31), "14"),
    (SPORTS_AND_CULTURE, date(2026, 1, 1), "13.5"),
    (FOOD_AND_RESTAURANT, date(2025, 12, 31), "14"),
    (FOOD_AND_RESTAURANT, date(2026, 1, 1), "13.5"),
    (NEWSPAPERS, date(2026, 1, 1), "10"),
    (ZERO_RATED, date(2026, 1, 1), "0"),
])
def test_rate_follows_the_date_of_service(category, service_date, percent):
    assert rate_on(category, service_date) == VatRate(Decimal(percent))


def test_health_care_is_exempt_with_its_legal_reference():
    rate = rate_on(HEALTH_CARE, date(2026, 3, 2))
    assert rate == VatRate(Decimal("0"), "AVL 34 §")
    assert row(6500, 1, rate) == Row(rate, 6500, 0, 6500)


def test_date_before_the_table_or_unknown_category_is_refused():
    with pytest.raises(ValueError):
        rate_on(GENERAL, date(2012, 12, 31))
    with pytest.raises(KeyError):
        rate_on("hairdressing", date(2026, 1, 1))


def test_three_times_33_33_at_25_5_per_cent():
    # By hand: 3 × 33,33 = 99,99 €; VAT 99,99 × 25,5 / 125,5 = 20,3167… → 20,32 €;
    # net 99,99 − 20,32 = 79,67 €; unit price without VAT 33,33 / 1,255 = 26,5578 €.
    three = row(3333, Decimal(3), GENERAL_NOW)
    assert (three.gross, three.vat, three.net) == (9999, 2032, 7967)
    assert unit_net_price(3333, GENERAL_NOW) == Decimal("26.5578")
    one = row(3333, 1, GENERAL_NOW)
    assert (one.gross, one.vat, one.net) == (3333, 677, 2656)
    totals = totals_per_rate([three, one])
    assert totals == [Row(GENERAL_NOW, 13332, 2709, 10623)]


def test_fractional_quantity_is_rounded_half_up_to_the_cent():
    # 1,5 h × 60,00 € = 90,00 €; VAT 90 × 25,5 / 125,5 = 18,2868… → 18,29 €.
    hour_and_half = row(6000, Decimal("1.5"), GENERAL_NOW)
    assert (hour_and_half.gross, hour_and_half.vat, hour_and_half.net) == (9000, 1829, 7171)
    # 0,333 × 1,50 € = 0,4995 € → 0,50 €: half up, not to even.
    assert row(150, Decimal("0.333"), GENERAL_NOW).gross == 50


def test_business_below_the_vat_threshold_shows_no_vat():
    untaxed = row(3333, 3, GENERAL_NOW, vat_registered=False)
    assert (untaxed.gross, untaxed.vat, untaxed.net) == (9999, 0, 9999)
    assert untaxed.rate == VatRate(Decimal("0"), "AVL 3 §")


def test_health_care_below_the_vat_threshold_keeps_its_own_exemption():
    health = rate_on(HEALTH_CARE, date(2026, 3, 2))
    assert row(6500, 1, health, vat_registered=False).rate == VatRate(Decimal("0"), "AVL 34 §")


@pytest.mark.parametrize("unit, quantity", [
    (3333, Decimal(0)), (3333, Decimal(-1)), (-1, 1), (33.33, 1),
])
def test_row_refuses_what_is_not_a_sale(unit, quantity):
    with pytest.raises(ValueError):
        row(unit, quantity, GENERAL_NOW)


def test_quantity_as_float_is_refused():
    with pytest.raises(TypeError):
        row(3333, 1.5, GENERAL_NOW)


def test_mixed_rates_are_totalled_per_rate_highest_first():
    health = rate_on(HEALTH_CARE, date(2026, 1, 5))
    sports = rate_on(SPORTS_AND_CULTURE, date(2026, 1, 5))
    rows = [row(6500, 1, health), row(2000, 2, sports), row(3333, 3, GENERAL_NOW)]
    assert [(t.rate.percent, t.gross, t.vat, t.net) for t in totals_per_rate(rows)] == [
        (Decimal("25.5"), 9999, 2032, 7967),
        (Decimal("13.5"), 4000, 476, 3524),
        (Decimal("0"), 6500, 0, 6500),
    ]


rates = st.sampled_from([Decimal(p) for p in ("25.5", "24", "14", "13.5", "10", "0")])
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3)
rows = st.builds(lambda unit, quantity, percent: row(unit, quantity, VatRate(percent)),
                 st.integers(min_value=0, max_value=1_000_000), quantities, rates)


@given(st.lists(rows, min_size=1, max_size=30))
def test_totals_per_rate_add_up_to_the_cent_with_the_rows(invoice_rows):
    totals = totals_per_rate(invoice_rows)
    for amount in ("gross", "vat", "net"):
        assert sum(getattr(t, amount) for t in totals) \
            == sum(getattr(r, amount) for r in invoice_rows)
    for each in [*invoice_rows, *totals]:
        assert all(type(value) is int for value in (each.gross, each.vat, each.net))
        assert each.net + each.vat == each.gross
    for total in totals:
        # Rounding row by row moves a rate's VAT at most half a cent a row from the VAT
        # of its total.
        exact = Decimal(total.gross) * total.rate.percent / (100 + total.rate.percent)
        same_rate = [r for r in invoice_rows if r.rate == total.rate]
        assert abs(total.vat - exact) <= Decimal("0.5") * len(same_rate)


@given(st.integers(min_value=0, max_value=10**9), quantities, rates)
def test_row_vat_is_the_rounded_share_of_its_gross(unit, quantity, percent):
    sale = row(unit, quantity, VatRate(percent))
    assert sale.gross == int((unit * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert abs(sale.vat - Decimal(sale.gross) * percent / (100 + percent)) <= Decimal("0.5")
