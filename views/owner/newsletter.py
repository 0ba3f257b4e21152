"""The owner's news by e-mail: write, see who gets it, preview, send; and the earlier
sends. Only customers who asked for news get it, each message with a link that stops
them."""

import secrets

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired

from models.business import Business
from models.messages import news
from web.access import audit, owner_only
from web.forms import Form, LengthLimit
from web.rendering import redirect_after_post, render

blueprint = owner_only(Blueprint("newsletter", __name__, url_prefix="/staff/news"))

NOBODY = _l("Nobody gets news yet: no customer has asked for it. Nothing was sent.")


class NewsForm(Form):
    subject = StringField(_l("Subject"), validators=[
        DataRequired(_l("Give the message a subject.")), LengthLimit(news.SUBJECT_MAX)])
    text = TextAreaField(_l("Text"), validators=[
        DataRequired(_l("Write the news.")), LengthLimit(news.TEXT_MAX)])
    # Names this send, so that the same form sent twice sends the news once.
    send_key = HiddenField()

    def clean(self):
        self.subject.data = " ".join((self.subject.data or "").split())  # one line
        self.text.data = (self.text.data or "").strip()
        if not news.SEND_KEY.fullmatch(self.send_key.data or ""):
            self.send_key.data = secrets.token_urlsafe(16)


def news_page(form, status=200, preview=False, notice=None):
    form.clean()
    return render("newsletter/index.html", status=status, form=form, preview=preview,
                  notice=notice,
                  recipients=news.recipients().count(), sends=news.earlier_sends(),
                  marketing_enabled=Business.current().marketing_enabled)


@blueprint.get("/")
def index():
    return news_page(NewsForm(formdata=None))


@blueprint.post("/")
def preview():
    form = NewsForm()
    if not form.validate_on_submit():
        return news_page(form, status=422)
    return news_page(form, preview=True)


@blueprint.post("/send")
def send():
    form = NewsForm()
    if not form.validate_on_submit():
        return news_page(form, status=422)
    form.clean()
    try:
        count = news.queue(form.send_key.data, form.subject.data, form.text.data)
    except news.AlreadySent:
        flash(_("This news was sent already; it was not sent again."), "warning")
        return redirect_after_post(url_for(".index"))
    if count == 0:
        return news_page(form, status=422, notice=NOBODY)
    audit("newsletter.send", details=f"recipients: {count}")
    flash(ngettext("The news is on its way to %(num)d customer.",
                   "The news is on its way to %(num)d customers.", count))
    return redirect_after_post(url_for(".index"))
