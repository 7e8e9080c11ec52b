"""Forms of the organization pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from baeji.organizations.models import Role


class InvitationForm(forms.Form):
    """Invite a colleague."""

    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ISSUER)
