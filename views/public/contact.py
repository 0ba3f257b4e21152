"""The public contact form: a question or feedback to the business, answered by staff
from the back office's inbox.

Misuse is kept off without any third party: a field that only robots fill in, a
minimum time between handing out the form and its sending, and limits per address
and per sender."""

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from models.people.contact_requests import BY_EMAIL, MESSAGE_MAX, REPLY_BY, receive
from models.people.customers import InvalidValue, normalise_email, normalise_phone
from views.public.contact_forms import ContactForm
from web.formatting import language
from web.limits import limiter
from web.opening import until_open
from web.rendering import redirect_after_post, render
from web.tokens import new_form_token, read_form_token

blueprint = Blueprint("contact", __name__)
blueprint.before_request(until_open)

FORM_MAX_AGE = 24 * 3600
# A person needs more than this to fill in the form; a program posting it at once does
# not. Tokens count whole seconds, so the least time let through is a bit over this.
MIN_FILL_SECONDS = 3
SENDER_LIMIT = "5 per hour"
ADDRESS_LIMIT = "3 per hour"
# The fields whose messages one changed field may change, for the inline check (the
# subject is chosen from a list that holds only right answers).
CHECKED_TOGETHER = {
    "name": ("name",),
    "email": ("email", "preferred_reply"),
    "phone": ("phone", "preferred_reply"),
    "preferred_reply": ("preferred_reply",),
    "message": ("message",),
}

# A person whose browser filled the form in may send it within seconds; they are asked
# once more, calmly, which a program posting at once seldom manages.
TOO_QUICK = _l("Almost there: your message is kept below. Please look it over once more "
               "and press \u201cSend the message\u201d again.")
EXPIRED = _l("The form was open for a long time, so it was not sent. Check what you "
             "wrote and send it again.")
TOO_MANY = _l("Several messages have come from you in a short time, so this one was not "
              "sent. What you wrote is kept below: send it again in an hour, or call us.")


@blueprint.context_processor
def form_limits():
    return {"message_max": MESSAGE_MAX}


def checked_fields():
    """The field an inline check is for (None for a real sending); a name unknown
    here checks the whole form."""
    if "check" not in request.form:
        return None
    return CHECKED_TOGETHER.get(request.form["check"], tuple(CHECKED_TOGETHER))


def only_checking():
    return request.method == "POST" and "check" in request.form


def counts_as_sent(response):
    """Only what was sent (or looked sent, to a robot) counts against the limits."""
    return g.get("contact_sent", False)


def too_many(limit):
    return form_page(ContactForm(), status=429, notice=TOO_MANY)


def _typed(field):
    return (request.form.get(field) or "").strip()


def _address_key(field, normalise):
    """The address or number typed in `field` in its normal form (as typed when it
    has none), so that one address is one count however it is written."""
    try:
        return f"contact-{field}:{normalise(_typed(field))}"
    except InvalidValue:
        return f"contact-{field}:{_typed(field).lower()}"


def per_address(field, normalise):
    """The limit for the e-mail address or phone number typed in `field`."""
    return limiter.limit(
        ADDRESS_LIMIT, key_func=lambda: _address_key(field, normalise), methods=["POST"],
        exempt_when=lambda: only_checking() or not _typed(field),
        deduct_when=counts_as_sent, on_breach=too_many,
    )


per_sender = limiter.limit(SENDER_LIMIT, methods=["POST"], exempt_when=only_checking,
                           deduct_when=counts_as_sent, on_breach=too_many)


@blueprint.route("/contact", methods=["GET", "POST"])
@per_sender
@per_address("email", normalise_email)
@per_address("phone", normalise_phone)
def form():
    if request.method == "GET":
        return form_page(ContactForm(formdata=None, data={"form_token": new_form_token()}))
    form = ContactForm()
    valid = form.validate()
    shown = checked_fields()
    if shown is not None:
        return check_page(form, shown)
    if not valid:
        return form_page(form, status=422)
    submission_key, problem = token_problem(form.form_token.data)
    if problem is not None:
        form.form_token.data = new_form_token()
        return form_page(form, status=422, notice=problem)
    if not form.website.data:  # a person; a robot fills in the hidden field
        receive(form.details(language()), submission_key)
    g.contact_sent = True
    return redirect_after_post(url_for(".sent", reply=form.preferred_reply.data))


def token_problem(token):
    """The submission key of the form token and what is wrong with its age, if
    anything. A token younger than the minimum still reads with that as its maximum
    age."""
    submission_key = read_form_token(token, FORM_MAX_AGE)
    if submission_key is None:
        return None, EXPIRED
    if read_form_token(token, MIN_FILL_SECONDS) is not None:
        return submission_key, TOO_QUICK
    return submission_key, None


def check_page(form, shown):
    """The inline check of changed fields: for htmx their blocks (swapped in out of
    band, so the field a person has moved on to is left alone) and a status line
    that screen readers read out; without JavaScript the whole form."""
    for field in form:
        if field.name not in shown:
            field.errors = []
    return render("contact/form.html", "partials/contact/check.html",
                  status=422 if form.errors else 200, form=form, shown=shown, notice=None)


def form_page(form, status=200, notice=None):
    return render("contact/form.html", status=status, form=form, notice=notice)


@blueprint.get("/contact/sent")
def sent():
    reply = request.args.get("reply")
    return render_template("contact/sent.html", reply=reply if reply in REPLY_BY else BY_EMAIL)
