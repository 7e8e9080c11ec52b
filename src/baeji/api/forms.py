"""Forms of the api app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A new API token."""

    name = forms.CharField(label=_("Name (what uses it)"), max_length=100)
    can_award = forms.BooleanField(label=_("May issue, revoke and suspend (award)"), required=False)
    can_read = forms.BooleanField(label=_("May read awards (read)"), required=False, initial=True)
