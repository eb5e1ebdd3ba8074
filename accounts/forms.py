from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django import forms


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = (
            "We send a link to confirm it before your first fine-tune, and notices "
            "about your fine-tunes."
        )


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
