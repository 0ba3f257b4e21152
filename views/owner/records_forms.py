"""The form of the breach log: a new breach, or an update of one, the same form prefilled.

The form reads what was typed; the rules on the moments (none in the future, none out of
order) are models.privacy.breaches.check's, and its refusal is shown at the field it concerns."""

from babel import Locale
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, StopValidation

from models import whole_number
from models.business.settings import InvalidSetting
from models.people.customers import InvalidValue
from models.privacy.breaches import (
    HIGH_RISK,
    MOMENTS,
    NO_RISK,
    RISK,
    BreachRefused,
    local_input_value,
    parse_moment,
)
from models.privacy.periods import choose
from models.privacy.statements import EEA_COUNTRIES, PROCESSOR_SERVICES, Processor
from web.formatting import FORMAT_LOCALES, language
from web.forms import Form, LengthLimit

RISK_NAMES = {
    NO_RISK: _l("No risk to people: recorded here only"),
    RISK: _l("A risk to people: tell the Data Protection Ombudsman within 72 hours"),
    HIGH_RISK: _l("A high risk to people: tell the Ombudsman and the people affected"),
}
RISK_SHORT_NAMES = {NO_RISK: _l("No risk"), RISK: _l("Risk"), HIGH_RISK: _l("High risk")}

REFUSALS = {
    "future": _l("This moment is still to come. Give a moment that has passed."),
    "happened_after_noticed": _l("A breach cannot happen after it was noticed."),
    "notified_before_noticed": _l("This is before the breach was noticed."),
    "risk": _l("Choose the risk."),
}
MOMENT_HINT = _l("Helsinki time, e.g. 24.11.2026 14.30")


def moment(form, field):
    """Reads a date and time in Helsinki time into `field.parsed` (aware)."""
    text = (field.data or "").strip()
    if not text:
        field.parsed = None
        return
    try:
        field.parsed = parse_moment(text)
    except InvalidSetting as error:
        raise StopValidation(str(_l("Give a date and a time, e.g. 24.11.2026 14.30."))) \
            from error


def required(message):
    return DataRequired(message=message)


class BreachForm(Form):
    what_happened = TextAreaField(_l("What happened"), validators=[
        required(_l("Tell what happened.")), LengthLimit(5000)])
    noticed_at = StringField(_l("Noticed at"), validators=[
        required(_l("Give when the breach was noticed.")), moment])
    happened_at = StringField(_l("Happened at (if known)"), validators=[Optional(), moment])
    data_affected = TextAreaField(_l("Which data was affected"), validators=[
        required(_l("Tell which data was affected.")), LengthLimit(5000)])
    people_affected = TextAreaField(_l("Whose data, and how many people"), validators=[
        LengthLimit(2000)])
    risk = RadioField(_l("Risk to the people affected"), validate_choice=False,
                      choices=[SelectChoice(key, name) for key, name in RISK_NAMES.items()])
    authority_notified_at = StringField(_l("Data Protection Ombudsman told at"),
                                        validators=[Optional(), moment])
    people_notified_at = StringField(_l("People affected told at"),
                                     validators=[Optional(), moment])
    actions_taken = TextAreaField(_l("What was done about it"), validators=[
        LengthLimit(5000)])

    TEXTS = ("what_happened", "data_affected", "people_affected", "actions_taken")

    def validate_risk(self, field):
        if field.data not in RISK_NAMES:
            raise StopValidation(str(_l("Choose the risk.")))

    @classmethod
    def of(cls, breach):
        """The form prefilled with a stored breach, its moments in Helsinki time."""
        data = {name: getattr(breach, name) for name in cls.TEXTS}
        data.update({name: local_input_value(getattr(breach, name)) for name in MOMENTS})
        data["risk"] = breach.risk
        return cls(formdata=None, data=data)

    def values(self):
        values = {name: (self[name].data or "").strip() for name in self.TEXTS}
        values.update({name: getattr(self[name], "parsed", None) for name in MOMENTS})
        values["risk"] = self.risk.data
        return values

    def stored(self, store, *args, **extra):
        """Store the values with `store`; False with the message at the field when the
        rules refuse them."""
        try:
            self.result = store(*args, self.values(), **extra)
        except BreachRefused as refusal:
            self[refusal.field].errors.append(str(REFUSALS[refusal.code]))
            return False
        return True


# The retention periods ------------------------------------------------------------------

class RetentionForm(Form):
    """One category's period; made with `prefix=category.key`, as the page has one form
    per category. What was typed is kept as text, so a wrong value comes back as typed."""

    months = StringField(_l("Kept for (months)"))

    def stored(self, category, user):
        """Set the period; False with the message at the field when it is refused."""
        value = whole_number(self.months.data)
        if value is None:
            self.months.errors.append(str(_l("Give the period as a whole number of months.")))
            return False
        try:
            choose(category, value, user=user)
        except InvalidValue as refusal:
            self.months.errors.append(str(retention_refusal(refusal.code, category)))
            return False
        return True


def retention_refusal(code, category):
    if code == "retention_fixed":
        return _l("This period is set by law and the software; it cannot be changed.")
    return _l("Give a period from %(minimum)d to %(maximum)d months.",
              minimum=category.retention.minimum, maximum=category.retention.maximum)


# The processors -------------------------------------------------------------------------

SERVICE_OPTIONS = {
    "hosting": _l("Server hosting (the server and its backups)"),
    "email": _l("E-mail service (sending e-mail)"),
    "accounting": _l("Accounting program (invoices and bookkeeping)"),
    "other": _l("Other service"),
}
NOT_IN_THE_EEA = _l("Choose a country of the EU or the EEA. Data may not be moved "
                    "outside them, so a partner elsewhere cannot be listed.")


def eea_countries():
    """The EU and EEA countries, (code, name) in the reader's language, by name."""
    names = Locale.parse(FORMAT_LOCALES[language()]).territories
    return sorted(((code, names.get(code, code)) for code in EEA_COUNTRIES),
                  key=lambda pair: pair[1])


class ProcessorForm(Form):
    name = StringField(_l("Name of the company"), validators=[
        DataRequired(message=_l("Give the company's name.")),
        LengthLimit(Processor.name.max_length)])
    service = SelectField(_l("What it does for you"), default="",
                          invalid_choice_message=_l("Choose what the partner does."))
    country = SelectField(_l("Country where it keeps the data"), default="FI",
                          invalid_choice_message=NOT_IN_THE_EEA)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(key, SERVICE_OPTIONS[key]) for key in PROCESSOR_SERVICES]
        self.country.choices = [SelectChoice(code, name) for code, name in eea_countries()]

    def validate_service(self, field):
        if field.data not in PROCESSOR_SERVICES:
            raise StopValidation(str(_l("Choose what the partner does.")))
