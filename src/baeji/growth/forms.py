"""The growth view's settings form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class GrowthPreferenceForm(forms.Form):
    """Whether the growth summary appears on the public profile."""

    show_on_profile = forms.BooleanField(
        required=False, label=_("Show a summary of my growth on my public profile")
    )
