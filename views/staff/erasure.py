"""Carrying out a request for erasure (GDPR Art 17): first the page that shows what
will be deleted, what anonymised and what the law keeps until when; then, once staff
confirm they have checked who asked, the erasure itself."""


from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN
from wtforms import BooleanField
from wtforms.validators import DataRequired

from engines import clock
from models.people.customers import Customer
from models.privacy import erasure
from models.privacy.data_requests import ERASURE, DataRequest
from views.staff.calendar import STATUS_NAMES
from web.access import audit, staff_only
from web.forms import Form
from web.rendering import redirect_after_post, render
from worker.delivery import mail_folder

blueprint = staff_only(Blueprint("erasure", __name__, url_prefix="/staff/requests"))

CARRIED_OUT = _l("This request was carried out already; nothing more was erased.")
NO_CUSTOMER = _l("This request is not linked to a customer in the register, so there "
                 "is nothing here to erase. Link it to the customer on the request's page "
                 "first.")


class ErasureForm(Form):
    confirmed = BooleanField(
        _l("I have checked who asked for the erasure, and this is their record"),
        validators=[DataRequired(_l("Tick the box to confirm that you have checked who "
                                    "asked. Nothing was erased."))],
    )


@blueprint.context_processor
def booking_status_names():
    return {"status_names": STATUS_NAMES}


def request_or_404(request_id):
    """The erasure request with its customer; 404 for any other."""
    found = (DataRequest.select(DataRequest, Customer)
             .join(Customer, JOIN.LEFT_OUTER)
             .where((DataRequest.id == request_id) & (DataRequest.kind == ERASURE))
             .first())
    if found is None:
        abort(404)
    return found


def request_page(data_request):
    """The request in the requests queue."""
    if "data_requests.show" in current_app.view_functions:
        return url_for("data_requests.show", request_id=data_request.id)
    return None


def saved_mail():
    return mail_folder(current_app.instance_path)


@blueprint.get("/<int:request_id>/erasure")
def preview(request_id):
    data_request = request_or_404(request_id)
    if not data_request.is_open or data_request.customer is None:
        return render("erasure/unavailable.html", data_request=data_request,
                      back=request_page(data_request))
    return preview_page(data_request, ErasureForm(formdata=None))


def preview_page(data_request, form, status=200):
    audit("request.view", customer=data_request.customer_id,
          details=f"data request #{data_request.id}: erasure preview")
    plan = erasure.plan(data_request.customer, clock.now(), saved_mail())
    return render("erasure/preview.html", status=status, data_request=data_request,
                  plan=plan, form=form, back=request_page(data_request))


@blueprint.post("/<int:request_id>/erasure")
def carry_out(request_id):
    data_request = request_or_404(request_id)
    if not data_request.is_open or data_request.customer is None:
        flash(str(CARRIED_OUT if not data_request.is_open else NO_CUSTOMER), "info")
        return redirect_after_post(url_for(".preview", request_id=request_id))
    form = ErasureForm()
    if not form.validate_on_submit():
        return preview_page(data_request, form, status=422)
    try:
        done = erasure.erase(data_request.customer, data_request, current_user.id,
                             clock.now(), ip=request.remote_addr or "",
                             mail_folder=saved_mail())
    except erasure.NotAllowed as refusal:
        flash(str(NO_CUSTOMER if refusal.code == "no_customer" else CARRIED_OUT), "info")
    else:
        flash(gettext("The data is erased.") + " " + (
            gettext("The person is told by e-mail what was done.") if done.told_by_email
            else gettext("There is no e-mail address to tell the person: tell them by "
                         "phone or letter.")), "success")
    return redirect_after_post(url_for(".preview", request_id=request_id))
