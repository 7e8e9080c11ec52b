"""Forms of the backpack pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    """A badge to bring in: a file, pasted text, or an address."""

    file = forms.FileField(
        label=_("Badge file (PNG, SVG, JSON or JWT)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.svg,.json,.jwt,.txt"}),
    )
    text = forms.CharField(
        label=_("Or paste the credential (JSON or JWT)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    url = forms.URLField(
        label=_("Or the address of an Open Badges 2.0 assertion"),
        required=False,
        assume_scheme="https",
    )
    insist = forms.BooleanField(
        label=_("Keep it even though it did not verify (it will be marked “not verified”)"),
        required=False,
    )

    def payload(self) -> bytes:
        """The upload as bytes, whichever way it was given."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read()
        text = (self.cleaned_data.get("text") or "").strip()
        if text:
            return text.encode("utf-8")
        return (self.cleaned_data.get("url") or "").strip().encode("utf-8")


class CollectionForm(forms.Form):
    """A collection's name and sharing choices."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_shared = forms.BooleanField(label=_("Anyone with the link can see it"), required=False)
    on_profile = forms.BooleanField(label=_("Show it on my public profile"), required=False)


class ProfileForm(forms.Form):
    """The public profile's address and text."""

    handle = forms.CharField(
        label=_("Profile address"),
        max_length=40,
        required=False,
        help_text=_("Letters, numbers, hyphens and underscores: /u/your-address"),
    )
    display_name = forms.CharField(label=_("Name shown"), max_length=120, required=False)
    bio = forms.CharField(
        label=_("About me"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    enabled = forms.BooleanField(label=_("My public profile is on"), required=False)
