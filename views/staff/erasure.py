"""Carrying out a request for erasure (GDPR Art 17): first the page that shows what
will be deleted, what anonymised and what the law keeps until when; then, once staff
confirm they have checked who asked, the erasure itself.

The routes are on the data requests' blueprint (views/staff/data_requests.py imports
this module): the erasure is a step of a request."""


from flask import current_app, flash, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404
from wtforms import BooleanField
from wtforms.validators import DataRequired

from engines import clock
from models.privacy import erasure
from models.privacy.data_requests import ERASURE, DataRequest, with_details
from views.staff.calendar import STATUS_NAMES
from views.staff.data_requests import blueprint
from web.access import audit
from web.forms import Form
from web.rendering import redirect_after_post, render
from worker.delivery import mail_folder

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


def saved_mail():
    return mail_folder(current_app.instance_path)


@blueprint.get("/<int:request_id>/erasure")
def erasure_preview(request_id):
    data_request = get_object_or_404(with_details(), DataRequest.id == request_id,
                                     DataRequest.kind == ERASURE)
    if not data_request.is_open or data_request.customer is None:
        return render("erasure/unavailable.html", data_request=data_request,
                      back=url_for(".show", request_id=data_request.id))
    return preview_page(data_request, ErasureForm(formdata=None))


def preview_page(data_request, form, status=200):
    audit("request.view", customer=data_request.customer_id,
          details=f"data request #{data_request.id}: erasure preview")
    plan = erasure.plan(data_request.customer, clock.now(), saved_mail())
    return render("erasure/preview.html", status=status, data_request=data_request,
                  plan=plan, form=form, back=url_for(".show", request_id=data_request.id),
                  booking_status_names=STATUS_NAMES)


@blueprint.post("/<int:request_id>/erasure")
def carry_out_erasure(request_id):
    data_request = get_object_or_404(with_details(), DataRequest.id == request_id,
                                     DataRequest.kind == ERASURE)
    if not data_request.is_open or data_request.customer is None:
        flash(str(CARRIED_OUT if not data_request.is_open else NO_CUSTOMER), "info")
        return redirect_after_post(url_for(".erasure_preview", request_id=request_id))
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
    return redirect_after_post(url_for(".erasure_preview", request_id=request_id))
