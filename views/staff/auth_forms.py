"""Forms of logging in and of a user's own account."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, StopValidation

from models.accounts.users import WeakPassword, check_new_password
from web.forms import Form
from web.wording import PASSWORD_PROBLEMS


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Give your e-mail address."))])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Give your password."))])


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Give the code."))])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(_l("Choose a password."))])
    repeat = PasswordField(_l("The same password again"), validators=[
        DataRequired(_l("Type the password again.")),
        EqualTo("password", _l("The two passwords differ.")),
    ])

    def __init__(self, email="", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def validate_password(self, field):
        try:
            check_new_password(field.data or "", self.email)
        except WeakPassword as problem:
            raise StopValidation(str(PASSWORD_PROBLEMS[problem.code])) from problem


class ConfirmForm(Form):
    """Proof of who is asking, before a change to how the account logs in: the current
    password, and a current code while two-factor login is on (the model checks
    both). Each such form on a page has a prefix of its own."""

    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Give your current password."))])
    code = StringField(_l("Code from the app, or a recovery code"))

    def refused(self, problem):
        """Show why the model refused (models.accounts.security.NotConfirmed)."""
        field = self.code if problem.field == "code" else self.current_password
        field.errors = [*field.errors, str(NOT_CONFIRMED[problem.field])]


NOT_CONFIRMED = {
    "password": _l("The password is wrong."),
    "code": _l("The code is wrong or too old."),
}


class ChangePasswordForm(ConfirmForm, NewPasswordForm):
    """A new password, asked with the current one."""


class TwoFactorForm(Form):
    code = StringField(_l("Code from the app"),
                       validators=[DataRequired(_l("Give the six-digit code."))])


class NotificationsForm(Form):
    notify_bookings = BooleanField(_l("Customers' online bookings, cancellations and moves"))
    notify_contact_requests = BooleanField(_l("New contact requests"))

    @classmethod
    def of(cls, user):
        return cls(formdata=None, notify_bookings=user.notify_bookings,
                   notify_contact_requests=user.notify_contact_requests)


class ButtonForm(Form):
    """An empty form: a button that changes something, protected by CSRF."""
