"""Sign-in (django-allauth: e-mailed codes, MFA for staff), claim links, learners' badges."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The accounts app."""

    name = "baeji.accounts"
    label = "accounts"
