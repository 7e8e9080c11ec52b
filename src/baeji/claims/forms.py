"""Forms of the claims app."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A claim code, typed from paper or taken from a scanned QR code."""

    code = forms.CharField(
        label=_("Claim code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    name = forms.CharField(
        label=_("Your name (as it should appear on the badge)"), max_length=200, required=False
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("We e-mail you a sign-in code; the badge is issued to this address."),
    )

    def __init__(self, *args, need_email: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = need_email
        if not need_email:
            del self.fields["email"]


class JoinForm(forms.Form):
    """A learner's claim in a campaign."""

    name = forms.CharField(label=_("Your name (as it should appear on the badge)"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))
    answer = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    code_word = forms.CharField(label=_("Code word"), max_length=100)

    def __init__(self, *args, campaign, email: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if email:
            # Signed in: the badge names the account's verified address.
            del self.fields["email"]
        if campaign.question:
            self.fields["answer"].label = campaign.question
        else:
            del self.fields["answer"]
        if not campaign.code_word:
            del self.fields["code_word"]


class CampaignForm(forms.Form):
    """A new claim campaign."""

    achievement = forms.ChoiceField(label=_("Badge"))
    title = forms.CharField(label=_("Title (the event or class)"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    max_claims = forms.IntegerField(
        label=_("Maximum claims"), min_value=1, required=False, help_text=_("Empty: no limit.")
    )
    question = forms.CharField(
        label=_("Evidence question (optional)"),
        max_length=500,
        required=False,
        help_text=_("Learners' answers become the evidence in their badge."),
    )
    code_word = forms.CharField(
        label=_("Code word said in the room (optional)"), max_length=100, required=False
    )

    def __init__(self, *args, achievements=(), **kwargs) -> None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        kwargs.setdefault(
            "initial",
            {
                "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["achievement"].choices = [
            (a.public_id, a.current_version.name) for a in achievements
        ]

    def clean(self):
        """Refuse a window that closes before it opens."""
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The campaign must close after it opens."))
        return data
