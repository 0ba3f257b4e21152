"""The owner's money settings: the bank account on invoices, the due days, the penalty
interest and reminder fee, VAT registration, the counter's payment methods, and each
service's VAT category; and the hand-over of a period to the accounting program."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, make_response, url_for
from flask_babel import lazy_gettext as _l

from engines.clock import today
from models import whole_number
from models.business.catalogue import Service
from models.money import Refused
from models.money.amounts import parse_euros
from models.money.settings import MoneySettings, save_settings, set_vat_category, vat_categories
from views.owner.money_forms import HandoverForm, MoneySettingsForm, ServiceVatForm, parse_day
from web import handover
from web.access import audit, owner_only
from web.formatting import language
from web.money import refusal
from web.rendering import redirect_after_post, render

blueprint = owner_only(Blueprint("money_settings", __name__, url_prefix="/staff/settings/money"))

SAVED = _l("Saved.")


def _settings_data(settings):
    cents = settings.reminder_fee_cents
    return {"iban": settings.iban, "bic": settings.bic, "due_days": str(settings.due_days),
            "penalty_interest": str(settings.penalty_interest).replace(".", ","),
            "reminder_fee": f"{cents // 100},{cents % 100:02d}",
            "vat_registered": settings.vat_registered, "methods": settings.counter_methods}


def settings_page(form, status=200):
    categories = vat_categories()
    services = [(service, ServiceVatForm(formdata=None, prefix=f"s{service.id}", data={
        "category": categories.get(service.id, "general")}))
        for service in Service.select().order_by(Service.position, Service.id)]
    return render("money/settings.html", status=status, form=form, services=services)


@blueprint.get("/")
def settings():
    return settings_page(MoneySettingsForm(formdata=None,
                                           data=_settings_data(MoneySettings.current())))


def _number(text, field, refusal_code):
    try:
        return Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation as error:
        raise Refused(refusal_code, field) from error


@blueprint.post("/")
def save():
    form = MoneySettingsForm()
    if form.validate_on_submit():
        try:
            due_days = whole_number(form.due_days.data)
            if due_days is None:
                raise Refused("due_days_out_of_range", "due_days")
            save_settings(
                iban=form.iban.data or "", bic=form.bic.data or "", due_days=due_days,
                penalty_interest=_number(form.penalty_interest.data, "penalty_interest",
                                         "penalty_interest_out_of_range"),
                reminder_fee_cents=parse_euros(form.reminder_fee.data or "0",
                                               "reminder_fee"),
                vat_registered=form.vat_registered.data, methods=form.methods.data or [])
        except Refused as error:
            refusal(form, error)
        else:
            audit("money.settings", details="money settings changed")
            flash(str(SAVED), "success")
            return redirect_after_post(url_for(".settings"))
    return settings_page(form, 422)


@blueprint.post("/services/<int:service_id>/vat")
def service_vat(service_id):
    service = Service.get_or_none(Service.id == service_id) or abort(404)
    form = ServiceVatForm(prefix=f"s{service.id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        set_vat_category(service, form.category.data)
    except Refused:
        flash(str(_l("Choose one of the VAT categories offered.")), "warning")
        return redirect_after_post(url_for(".settings"))
    audit("money.settings", details=f"VAT category of service #{service.id}: "
          f"{form.category.data}")
    flash(str(SAVED), "success")
    return redirect_after_post(url_for(".settings") + f"#service-{service.id}")




# The hand-over to the accounting program -------------------------------------------------

NOT_A_DAY = _l("Write a date as day.month.year, e.g. 30.11.2026.")
AFTER_LAST = _l("The first day cannot be after the last day.")


def last_month():
    """The first and the last day of the month before this one."""
    last = today().replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def handover_page(form, status=200):
    return render("money/handover.html", status=status, form=form)


@blueprint.get("/accounting")
def accounting():
    first, last = last_month()
    return handover_page(HandoverForm(formdata=None, data={
        "first": first.isoformat(), "last": last.isoformat(), "format": handover.CSV}))


@blueprint.post("/accounting")
def hand_over():
    form = HandoverForm()
    if not form.validate_on_submit():
        return handover_page(form, 422)
    first, last = parse_day(form.first.data), parse_day(form.last.data)
    problems = {
        form.first: NOT_A_DAY if first is None else AFTER_LAST if last and first > last
        else None,
        form.last: NOT_A_DAY if last is None else None,
        form.format: None if form.format.data in handover.FORMATS
        else _l("Choose one of the formats offered."),
    }
    for field, problem in problems.items():
        if problem:
            field.errors = [problem]
    if any(problems.values()):
        return handover_page(form, 422)
    if form.format.data == handover.CSV:
        content, count = handover.csv_bytes(first, last, language())
        name, media_type = f"kirjanpito-{first}-{last}.csv", "text/csv; charset=utf-8"
    else:
        content, count = handover.finvoice_zip(first, last)
        name, media_type = f"finvoice-{first}-{last}.zip", "application/zip"
    audit("data.export", details=handover.audit_details(
        "on the owner's page", form.format.data, first, last, count))
    response = make_response(content)
    response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
