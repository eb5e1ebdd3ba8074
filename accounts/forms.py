from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django import forms

# Django's validators speak of "personal information" and "@/./+/-/_ characters":
# the sign-up form says the same in words a person would use, by the errors' codes.
PASSWORD_HELP = (
    "At least 8 characters. Not only digits, not a common password, and not close to "  # noqa: S105
    "your username or e-mail address."
)
USERNAME_HELP = "You log in with it. Letters, digits and . - _ work; no spaces."
PLAIN_ERRORS = {
    "password_too_short": "Use at least 8 characters: a longer password is much harder to guess.",
    "password_too_common": "Many people use this password, so it is easy to guess. "
    "Choose another one.",
    "password_entirely_numeric": "Add a letter or two: a password of digits only is easy to guess.",
    "password_too_similar": "It is too close to your username or e-mail address. "
    "Choose one that has nothing to do with them.",
    "invalid": "Use letters, digits and . - _ only, without spaces.",
}


REQUIRED = {
    "email": "Enter your e-mail address: we send a link to it.",
    "username": "Choose a username.",
    "password1": "Choose a password.",
    "password2": "Type the password again, to be sure of it.",
}


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = (
            "We send a link to confirm it before your first fine-tune, and notices "
            "about your fine-tunes."
        )
        self.fields["username"].help_text = USERNAME_HELP
        self.fields["password1"].help_text = PASSWORD_HELP
        for name, message in REQUIRED.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    def clean(self):
        cleaned = super().clean()
        for name in ("username", "password1"):
            if name in self._errors:
                errors = self._errors[name].as_data()
                plain = [PLAIN_ERRORS.get(error.code) or " ".join(error) for error in errors]
                self._errors[name] = self.error_class(dict.fromkeys(plain))
        return cleaned


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or e-mail"
        self.fields["password"].help_text = ""  # the page links to the reset itself


class ConfirmWithPasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class ConfirmWithCodeForm(BaseAuthenticateForm):
    """For an account without a password: a code from the authenticator app."""


class ConfirmWithUsernameForm(forms.Form):
    """For an account with neither (social login only), after logging in again."""

    username = forms.CharField(label="Your username")

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_username(self):
        if self.cleaned_data["username"].strip() != self.user.get_username():
            raise forms.ValidationError("Type your username as it is shown above.")
        return self.cleaned_data["username"]


def confirm_form_class(user):
    """The form that asks who is deleting the account again."""
    if user.has_usable_password():
        return ConfirmWithPasswordForm
    if is_mfa_enabled(user):
        return ConfirmWithCodeForm
    return ConfirmWithUsernameForm
