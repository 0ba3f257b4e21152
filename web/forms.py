"""The form kit every form of the site is built on: its base, which refuses what cannot be
stored (control characters, halves of surrogate pairs, line breaks outside text areas)
at the field, in the visitor's language, with the rest of what was typed kept; and the
validators the forms share."""

import re

import wtforms
from babel import support
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, StopValidation

from models.people.customers import InvalidValue

# The contact details' rules are the customer register's (models/people/customers.py); these
# are their refusals in the visitor's words, by the model's code.
MESSAGES = {
    "phone_invalid": _l("This is not a phone number we can call. "
                        "Check it, e.g. 040 123 4567 or +358 40 123 4567."),
    "email_invalid": _l("This is not an e-mail address. Check it, e.g. "
                        "maija@example.fi."),
    "postal_code_invalid": _l("A postal code has five digits, e.g. 00100."),
}


# What no person types and no database keeps: control characters other than tab and
# line breaks (PostgreSQL refuses NUL in any text), and halves of surrogate pairs, which
# UTF-8 cannot encode.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A line break as a browser (\r\n), an old Mac (\r) or Unicode (U+2028, U+2029) writes it.
LINE_BREAK = re.compile(r"\r\n?|[\n\u2028\u2029]")
UNSTORABLE_TYPED = _l("This had invisible control characters, which cannot be saved. They "
                      "have been removed: check the text and send it again.")
LINE_BREAK_TYPED = _l("This must be on one line. The line break has been replaced with a "
                      "space: check the text and send it again.")


def storable(text, one_line):
    """The text without what cannot be stored, with one kind of line break (a browser
    sends two characters for each, which would count twice against a maximum), or on
    one line."""
    return LINE_BREAK.sub(" " if one_line else "\n", UNSTORABLE.sub("", text))


class TypedInput:
    """The check every field of every form makes first: what was typed can be stored
    (and, but for a text area, is on one line). Its filter has already taken out what
    cannot be, so the form shows the rest back, with a message at the field."""

    def __init__(self, one_line):
        self.one_line = one_line

    def filter(self, value):
        if isinstance(value, str):
            return storable(value, self.one_line)
        if isinstance(value, list):
            return [self.filter(item) for item in value]
        return value

    def __call__(self, form, field):
        typed = [value for value in getattr(field, "raw_data", None) or ()
                 if isinstance(value, str)]
        if any(UNSTORABLE.search(value) for value in typed):
            raise StopValidation(str(UNSTORABLE_TYPED))
        if self.one_line and any(LINE_BREAK.search(value) for value in typed):
            raise StopValidation(str(LINE_BREAK_TYPED))


class TypedInputMeta:
    """The Meta of every form: each field gets the TypedInput check, and a form reads
    only what a form sends."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if not isinstance(field, FieldList | FormField):  # their own forms check theirs
            check = TypedInput(one_line=not isinstance(field, TextAreaField))
            field.filters = (check.filter, *field.filters)
            field.validators = [check, *field.validators]
        return field

    def wrap_formdata(self, form, formdata):
        # Flask-WTF takes a JSON body for the form's data, where a field may get a list
        # or a number instead of text. The site's forms are sent as forms: a JSON body
        # is read as the empty form it is.
        reads_request = formdata is not None and not hasattr(formdata, "getlist")
        if reads_request and form.is_submitted() and request.is_json:
            formdata = request.form
        return super().wrap_formdata(form, formdata)


NO_CATALOGUE = support.NullTranslations()


class WTFormsMessages:
    """WTForms' own messages in the visitor's language. Flask-WTF reads their catalogue
    from disk in every request that shows or checks a form; here each language's is
    read once a process."""

    def __init__(self):
        self.catalogues = {}

    def _catalogue(self):
        locale = get_locale() if has_request_context() else None
        if locale is None:
            return NO_CATALOGUE
        catalogue = self.catalogues.get(locale)
        if catalogue is None:
            catalogue = support.Translations.load(messages_path(), [locale],
                                                  domain="wtforms")
            self.catalogues[locale] = catalogue
        return catalogue

    def gettext(self, string):
        return self._catalogue().ugettext(string)

    def ngettext(self, singular, plural, n):
        return self._catalogue().ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


class Form(FlaskForm):
    """The base of every form of the site."""

    class Meta(TypedInputMeta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return WTFORMS_MESSAGES


class PartForm(wtforms.Form):
    """The base of a part that a form repeats (a row of a list of rows)."""

    class Meta(TypedInputMeta):
        pass


def normalised(normalise):
    """A validator that stores the normal form of the value, or says what is wrong."""

    def validator(form, field):
        if not field.data:
            return
        try:
            field.normalised = normalise(field.data.strip())
        except InvalidValue as error:
            raise StopValidation(str(MESSAGES[error.code])) from error

    return validator


class LengthLimit:
    """A maximum length, with a message that tells how long the text is now."""

    def __init__(self, limit):
        self.limit = limit

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise StopValidation(
                str(_l("At most %(max)d characters; this has %(length)d.",
                       max=self.limit, length=length))
            )


def required(message):
    return DataRequired(message=message)
