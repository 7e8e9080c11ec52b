"""Forms of the age step, the guardian request and the consent page."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BirthYearForm(forms.Form):
    """The one question of the age step."""

    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        help_text=_("For example 2012. We ask only the year."),
        min_value=1900,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )

    def clean_birth_year(self) -> int:
        """Refuse years in the future with a clear message."""
        year = self.cleaned_data["birth_year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year


class GuardianEmailForm(forms.Form):
    """The address the consent e-mail goes to."""

    guardian_email = forms.EmailField(
        label=_("Your parent's or guardian's e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ConsentForm(forms.Form):
    """A guardian's answer; consenting needs the confirmation box ticked."""

    answer = forms.ChoiceField(choices=[("grant", "grant"), ("decline", "decline")])
    confirm = forms.BooleanField(
        required=False,
        label=_("I am this child's parent or legal guardian, and I have read the text above."),
    )

    def clean(self):
        """Consent (not refusal) needs the confirmation."""
        data = super().clean()
        if data.get("answer") == "grant" and not data.get("confirm"):
            raise forms.ValidationError(
                _("Tick the box to confirm you are the child's parent or legal guardian.")
            )
        return data


class AwardEmailsForm(forms.Form):
    """The family's choice about copies of award e-mails."""

    enabled = forms.BooleanField(
        required=False, label=_("Send me a copy of my child's badge e-mails")
    )
