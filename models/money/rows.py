"""What is sold on a receipt or an invoice, row by row, with its VAT in cents."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peewee import CharField, DateField, DecimalField, IntegerField

from engines import vat
from models import BaseModel
from models.money import Refused
from models.money.amounts import check_row_total


@dataclass(frozen=True)
class Line:
    """A row before it is written: a booking's service, or a free row."""

    description: str
    service_date: date
    unit_gross_cents: int
    quantity: Decimal
    category: str
    booking_id: int | None = None


class SoldRow(BaseModel):
    """The fields every sold row has (receipt rows and invoice rows): the price as the
    customer saw it, the rate in force on the date of service, and the row's amounts."""

    position = IntegerField(default=0)
    description = CharField(max_length=200)
    service_date = DateField()
    quantity = DecimalField(max_digits=8, decimal_places=2)
    unit_gross_cents = IntegerField()
    vat_category = CharField(max_length=30)
    vat_percent = DecimalField(max_digits=4, decimal_places=1)
    vat_exemption = CharField(max_length=20, default="")
    gross_cents = IntegerField()
    vat_cents = IntegerField()
    net_cents = IntegerField()

    ROW_FIELDS = ("position", "description", "service_date", "quantity", "unit_gross_cents",
                  "vat_category", "vat_percent", "vat_exemption", "gross_cents",
                  "vat_cents", "net_cents")

    @property
    def rate(self):
        return vat.VatRate(Decimal(self.vat_percent), self.vat_exemption or None)

    @property
    def amounts(self):
        return vat.Row(self.rate, self.gross_cents, self.vat_cents, self.net_cents)

    @property
    def unit_net(self):
        """The unit price without VAT in euros (four decimals), as § 209 e asks."""
        return vat.unit_net_price(self.unit_gross_cents, self.rate)


def row_values(line, vat_registered, position):
    """The stored values of `line`'s row. Refused when its amount is too large."""
    if not line.description.strip():
        raise Refused("description_missing", "description")
    rate = vat.rate_on(line.category, line.service_date)
    amounts = vat.row(line.unit_gross_cents, line.quantity, rate, vat_registered)
    check_row_total(amounts.gross)
    return {
        "position": position, "description": line.description.strip()[:200],
        "service_date": line.service_date, "quantity": line.quantity,
        "unit_gross_cents": line.unit_gross_cents, "vat_category": line.category,
        "vat_percent": amounts.rate.percent, "vat_exemption": amounts.rate.exemption or "",
        "gross_cents": amounts.gross, "vat_cents": amounts.vat, "net_cents": amounts.net,
    }


def totals(rows):
    """The rows' totals per rate, highest first (engines.vat.Row)."""
    return vat.totals_per_rate([row.amounts for row in rows])
