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
