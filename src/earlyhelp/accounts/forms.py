from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Sign in with a work email address; the field keeps Django's name ``username``."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been switched off. Ask your system administrator.",
    }

    def clean_username(self) -> str:
        # Accounts are stored with lower-case emails (UserManager.create_user), so
        # sign-in, and the lockout count keyed on this value, ignore case.
        return self.cleaned_data["username"].lower()


class AuthenticatorCodeForm(forms.Form):
    """A 6-digit code from the user's authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows for this service, for example 123456",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )


class SecondFactorForm(forms.Form):
    """The second step of signing in: an app code, or a recovery code instead."""

    code = forms.CharField(
        label="Code",
        help_text=(
            "Enter the 6-digit code from your authenticator app. If you do not have it "
            "with you, enter one of your recovery codes"
        ),
        max_length=40,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app, or a recovery code"
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
                "class": "govuk-input--width-20",
            }
        ),
    )


class StaffSearchForm(forms.Form):
    q = forms.CharField(label="Name or email address", required=False, max_length=100)
