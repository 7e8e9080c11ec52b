"""Forms of the emails app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReminderSettingsForm(forms.Form):
    """An issuer's reminder policy."""

    reminder_after_days = forms.IntegerField(
        label=_("Remind unclaimed recipients after (days)"),
        min_value=0,
        max_value=365,
        help_text=_("0 turns reminders off."),
    )
    reminder_max = forms.IntegerField(
        label=_("At most this many reminders per badge"), min_value=0, max_value=10
    )
