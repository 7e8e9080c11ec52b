"""Forms of the bulk pages: the upload and the column mapping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baeji.bulk.messages import FIELD_LABELS
from baeji.bulk.models import Batch
from baeji.bulk.spreadsheet import FIELDS


class UploadForm(forms.Form):
    """A CSV or XLSX file and, optionally, the badge for rows that do not name one."""

    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("UTF-8 or CP949 (Korean Excel) CSV, or an Excel .xlsx workbook."),
    )
    achievement = forms.ChoiceField(
        label=_("Badge for rows without one"),
        required=False,
        help_text=_("Only needed when the file has no achievement column."),
    )

    def __init__(self, *args, achievements: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.achievements = achievements
        self.fields["achievement"].choices = [("", _("— the file names the badge —"))] + [
            (slug, f"{a.current_version.name} ({slug})") for slug, a in sorted(achievements.items())
        ]

    def clean_achievement(self):
        """The chosen achievement object, or None."""
        slug = self.cleaned_data.get("achievement")
        return self.achievements.get(slug) if slug else None


def _field_choices() -> list[tuple[str, str]]:
    return [("", _("(ignore this column)"))] + [
        (field, f"{FIELD_LABELS[field][0]} / {FIELD_LABELS[field][1]}") for field in FIELDS
    ]


def mapping_form(batch: Batch, data=None) -> forms.Form:
    """A form with one choice per non-empty column of the upload, prefilled with the guess."""
    fields = {}
    for index, header in enumerate(batch.headers):
        if not header.strip():
            continue
        fields[f"col_{index}"] = forms.ChoiceField(
            label=header,
            choices=_field_choices(),
            required=False,
            initial=batch.mapping.get(header.strip(), ""),
        )
    form_class = type("MappingForm", (forms.Form,), fields)
    return form_class(data)
