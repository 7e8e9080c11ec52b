"""Forms of the badge class pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AwardForm(forms.Form):
    """Award a badge to one learner."""

    recipient_name = forms.CharField(label=_("Recipient name"), max_length=200)
    recipient_email = forms.EmailField(label=_("Recipient e-mail"))
    evidence_url = forms.URLField(label=_("Evidence URL"), required=False, assume_scheme="https")
    narrative = forms.CharField(
        label=_("Narrative"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    result = forms.CharField(label=_("Result"), max_length=200, required=False)


class AchievementEditForm(forms.Form):
    """Edit the content of a badge class (a new version once it has been awarded)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    criteria_md = forms.CharField(
        label=_("Criteria (Markdown)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
