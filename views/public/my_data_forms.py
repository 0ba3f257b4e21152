"""The forms of the "my data" pages: asking for the link, and the requests a person
makes about their data. Public forms: each carries the session-less form token, which
also names the submission (a form sent twice is one request)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Optional

from models.people.customers import normalise_email
from models.privacy.data_requests import CORRECTION, ERASURE, OBJECTION, RESTRICTION
from models.privacy.declaration import CATEGORIES, LegalBasis
from web.forms import Form, LengthLimit, normalised, required
from web.wording import PURPOSE_NAMES

DETAILS_MAX = 2000



def objectable_purposes():
    """The purposes we process data for on our legitimate interest, which a person may
    object to (consent is withdrawn instead; a contract or the law leaves no choice)."""
    purposes = []
    for category in CATEGORIES:
        if category.basis is LegalBasis.LEGITIMATE_INTEREST:
            purposes += [purpose for purpose in category.purposes if purpose not in purposes]
    return purposes


class PublicForm(Form):
    class Meta:
        csrf = False  # the public forms carry a session-less token instead

    form_token = HiddenField()


class AskForm(PublicForm):
    email = StringField(
        _l("E-mail"),
        validators=[required(_l("Give the e-mail address you gave us.")), LengthLimit(254),
                    normalised(normalise_email)],
    )


class CorrectionForm(PublicForm):
    wrong = TextAreaField(
        _l("What is wrong"), id="correction-wrong",
        validators=[required(_l("Tell us which detail is wrong.")), LengthLimit(DETAILS_MAX)],
    )
    right = TextAreaField(
        _l("What it should be"), id="correction-right",
        validators=[required(_l("Tell us what the detail should be.")),
                    LengthLimit(DETAILS_MAX)],
    )

    def details(self):
        return f"{self.wrong.label.text}: {self.wrong.data.strip()}\n" \
               f"{self.right.label.text}: {self.right.data.strip()}"


class ErasureForm(PublicForm):
    understood = BooleanField(
        _l("I understand what erasure means and ask you to erase my data"),
        id="erasure-understood",
        validators=[InputRequired(_l("Tick the box to confirm that you want your data "
                                     "erased."))],
    )
    why = TextAreaField(_l("Anything you want to tell us (you need not)"),
                        id="erasure-why", validators=[Optional(), LengthLimit(DETAILS_MAX)])

    def details(self):
        return (self.why.data or "").strip()


class RestrictionForm(PublicForm):
    why = TextAreaField(_l("Why (you need not tell us)"), id="restriction-why",
                        validators=[Optional(), LengthLimit(DETAILS_MAX)])

    def details(self):
        return (self.why.data or "").strip()


class ObjectionForm(PublicForm):
    purpose = SelectField(_l("The use you object to"), validate_choice=False,
                          id="objection-purpose")
    why = TextAreaField(_l("Why (you need not tell us)"), id="objection-why",
                        validators=[Optional(), LengthLimit(DETAILS_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        purposes = objectable_purposes()
        self.purpose.choices = [(purpose.value, PURPOSE_NAMES[purpose])
                                for purpose in purposes]
        self.purpose.validators = [AnyOf([purpose.value for purpose in purposes],
                                         message=_l("Choose one of the uses listed."))]

    def details(self):
        return (self.why.data or "").strip()


REQUEST_FORMS = {
    CORRECTION: CorrectionForm,
    ERASURE: ErasureForm,
    RESTRICTION: RestrictionForm,
    OBJECTION: ObjectionForm,
}
