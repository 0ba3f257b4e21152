"""The month's sales report for staff and the owner: by payment method and by VAT rate,
day by day and for the month, the month's receipts, invoices and credit notes, and what
was open at its end; printable, with links to the months before and after."""

import re
from datetime import date

from flask import Blueprint, request
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from engines.clock import today
from models.money.reports import month_sales
from web.access import staff_only
from web.money import METHOD_NAMES
from web.rendering import render

blueprint = staff_only(Blueprint("money_reports", __name__, url_prefix="/staff/money"))

NOT_A_MONTH = _l("Write the month as year-month, e.g. 2026-11.")


def parse_month(text):
    """2026-11 as (2026, 11); None when it is not a month from 2000 to 9999."""
    found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", (text or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        return None
    return int(found.group(1)), int(found.group(2))


def month_param(year, month):
    return f"{year:04d}-{month:02d}"


def neighbours(year, month):
    """The months before and after, as year-month texts."""
    before = (year - 1, 12) if month == 1 else (year, month - 1)
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return month_param(*before), month_param(*after)


@blueprint.get("/month")
def month():
    typed = request.args.get("month")
    chosen = parse_month(typed) if typed is not None else (today().year, today().month)
    status, error = 200, None
    if chosen is None:
        status, error = 422, NOT_A_MONTH
        chosen = (today().year, today().month)
    year, number = chosen
    report = month_sales(year, number)
    before, after = neighbours(year, number)
    methods = sorted({method for line in report.days for method in line.by_method})
    return render("money/month.html", status=status, report=report, methods=methods,
                  method_names=METHOD_NAMES, typed=typed if error else month_param(*chosen),
                  error=error, before=before, after=after,
                  title=format_date(date(year, number, 1), "LLLL yyyy"), today=today())
