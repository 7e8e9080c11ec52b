"""Forms of the organization pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from baeji.badgeart import upload
from baeji.organizations.models import Role


class InvitationForm(forms.Form):
    """Invite a colleague."""

    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ISSUER)


class OrganizationSettingsForm(forms.Form):
    """An organization's public details and its logo."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    url = forms.URLField(
        label=_("Web address"), max_length=200, required=False, assume_scheme="https"
    )
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    language = forms.ChoiceField(
        label=_("Language of new badges"), choices=[("ko", _("Korean")), ("en", _("English"))]
    )
    logo_file = forms.FileField(label=_("Logo (PNG, JPEG or SVG, at most 2 MB)"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def clean_logo_file(self):
        """Sanitise the upload with badgeart's checks; the refusal is shown on the field."""
        file = self.cleaned_data.get("logo_file")
        if file is None:
            return None
        if file.size > upload.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large; a logo may be at most 2 MB."))
        try:
            return upload.clean_upload(file.read(), file.name)
        except ValueError as error:
            raise forms.ValidationError(_("This image was refused: %s") % error) from None
