from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from accounts.models import ROLE_TITLES, Role
from core.forms import BaseForm, EmailAddressField, PasswordInputField, TextField
from core.i18n import LANGUAGE_NAMES

PASSWORD_HINT = _l("At least 12 characters. A few unrelated words make a strong password.")


def _new_password_field(label=None):
    return PasswordInputField(
        label or _l("Password"),
        [InputRequired(_l("Choose a password.")),
         Length(min=12, message=_l("Use at least 12 characters."))],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "maxlength": 128, "minlength": 12},
    )


class RegisterForm(BaseForm):
    name = TextField(_l("Full name"), [DataRequired(_l("Enter your name."))], max_length=120,
                     render_kw={"autocomplete": "name"})
    email = EmailAddressField(_l("Email address"), [DataRequired(_l("Enter your email."))])
    password = _new_password_field()


class LoginForm(BaseForm):
    email = EmailAddressField(_l("Email address"), [DataRequired(_l("Enter your email."))])
    password = PasswordInputField(_l("Password"), [InputRequired(_l("Enter your password."))],
                                  render_kw={"autocomplete": "current-password"})


class EmailOnlyForm(BaseForm):
    email = EmailAddressField(_l("Email address"), [DataRequired(_l("Enter your email."))])


class SetPasswordForm(BaseForm):
    password = _new_password_field(_l("New password"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordInputField(
        _l("Current password"), [InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"})
    password = _new_password_field(_l("New password"))


def _language_choices():
    return [(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]]


class ProfileForm(BaseForm):
    name = TextField(_l("Full name"), [DataRequired(_l("Enter your name."))], max_length=120,
                     render_kw={"autocomplete": "name"})
    locale = SelectField(_l("Language"), [InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = _language_choices()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices():
    return [(role.value, ROLE_TITLES[role]) for role in Role]


class RolesForm(BaseForm):
    roles = MultiCheckboxField(_l("Roles"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = _role_choices()


class InviteUserForm(RolesForm):
    name = TextField(_l("Full name"), [DataRequired(_l("Enter the person's name."))],
                     max_length=120)
    email = EmailAddressField(_l("Email address"), [DataRequired(_l("Enter an email."))])
