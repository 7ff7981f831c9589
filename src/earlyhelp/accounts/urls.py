from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from earlyhelp.accounts import views
from earlyhelp.accounts.forms import SignInForm

app_name = "accounts"

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="accounts/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="sign-in",
    ),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/set-up/", views.set_up, name="two-factor-set-up"),
    path("two-factor/verify/", views.verify, name="two-factor-verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="two-factor-recovery-codes"),
    path("two-factor/staff/", views.staff, name="two-factor-staff"),
    path("two-factor/staff/<int:user_id>/reset/", views.reset, name="two-factor-reset"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]
