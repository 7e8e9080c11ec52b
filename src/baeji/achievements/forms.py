"""Forms of the badge class pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from baeji.badgeart import generate, upload
from baeji.credentials import model


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


# --- The badge designer -------------------------------------------------------------------

_COMMON_TYPES = ["Badge", "Achievement", "Certificate", "CertificateOfCompletion",
                 "Certification", "Competency", "Course", "MicroCredential", "Award",
                 "CommunityService", "LearningProgram"]  # fmt: skip
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
IMAGE_SOURCES = [("template", _("Draw it from a template")), ("upload", _("Upload an image"))]


def _type_choices():
    others = sorted(model.ACHIEVEMENT_TYPES - set(_COMMON_TYPES))
    return [(t, t) for t in _COMMON_TYPES + others]


def _color_field(label, required=True):
    return forms.RegexField(
        label=label,
        regex=r"^#[0-9A-Fa-f]{6}$",
        required=required,
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Write a colour as #RRGGBB.")},
    )


class DesignForm(forms.Form):
    """The template a badge image is drawn from (see baeji.badgeart.generate)."""

    shape = forms.ChoiceField(label=_("Shape"), choices=[(s, s) for s in generate.SHAPES])
    color = _color_field(_("Colour"))
    icon = forms.ChoiceField(label=_("Icon"), choices=[(i, i) for i in generate.ICONS])
    text = forms.CharField(
        label=_("Text on the badge"),
        max_length=generate.MAX_TEXT_LENGTH,
        required=False,
        help_text=_("Empty: the badge name."),
    )
    subtitle = forms.CharField(
        label=_("Subtitle"),
        max_length=generate.MAX_SUBTITLE_LENGTH,
        required=False,
        help_text=_("Empty: the organization's name."),
    )


class AchievementForm(forms.Form):
    """Everything about a badge class except its result rows (a formset beside it)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Identifier"),
        max_length=80,
        allow_unicode=True,
        help_text=_("Short, unique in your organization, used in links; e.g. swim-1."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    criteria_md = forms.CharField(
        label=_("Criteria"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Markdown: lists, bold, links. Anything else is removed when shown."),
    )
    achievement_type = forms.ChoiceField(label=_("Type"), initial="Badge")
    category = forms.CharField(label=_("Area"), max_length=100, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    family = forms.CharField(
        label=_("Levelled family"),
        max_length=100,
        required=False,
        help_text=_("Badges of one family form a series of levels, e.g. Swimming."),
    )
    level = forms.IntegerField(
        label=_("Level in the family"), min_value=1, max_value=generate.MAX_LEVEL, required=False
    )
    level_name = forms.CharField(label=_("Level name"), max_length=50, required=False)
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=36500,
        required=False,
        help_text=_("Empty: does not expire."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="ko")
    alignments = forms.MultipleChoiceField(
        label=_("Aligned to"), required=False, widget=forms.CheckboxSelectMultiple
    )
    image_source = forms.ChoiceField(
        label=_("Image"),
        choices=IMAGE_SOURCES,
        initial="template",
        widget=forms.RadioSelect,
    )
    image_file = forms.FileField(
        label=_("Image file (PNG, JPEG or SVG, at most 2 MB)"), required=False
    )

    def __init__(self, *args, alignment_choices=(), editing=False, has_upload=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["achievement_type"].choices = _type_choices()
        self.fields["alignments"].choices = list(alignment_choices)
        self.has_upload = has_upload
        if editing:
            # The identifier is in every issued credential's URL history: it stays.
            del self.fields["slug"]

    def clean_tags(self):
        """Comma-separated text to a clean list (Korean commas too)."""
        raw = self.cleaned_data["tags"].replace("，", ",").replace("、", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]

    def clean(self):
        """Check the upload with badgeart's sanitiser; its refusal is shown on the field."""
        data = super().clean()
        data["upload"] = None
        if data.get("image_source") == "upload":
            file = data.get("image_file")
            if file is None:
                if not self.has_upload:
                    self.add_error("image_file", _("Choose an image file to upload."))
                return data
            if file.size > upload.MAX_UPLOAD_BYTES:
                self.add_error(
                    "image_file",
                    _("The file is too large; badge images may be at most 2 MB."),
                )
                return data
            try:
                data["upload"] = upload.clean_upload(file.read(), file.name)
            except ValueError as error:
                self.add_error("image_file", _("This image was refused: %s") % error)
        return data


class ResultRowForm(forms.Form):
    """One result description: what an award may record (a time, pass/fail, a score)."""

    name = forms.CharField(label=_("Result name"), max_length=200, required=False)
    result_type = forms.ChoiceField(
        label=_("Kind"), choices=[(t, t) for t in sorted(model.RESULT_TYPES)], initial="Result"
    )
    allowed_values = forms.CharField(
        label=_("Allowed values"),
        required=False,
        help_text=_("Optional, separated by commas, e.g. pass, fail."),
    )
    required_value = forms.CharField(label=_("Value needed"), max_length=100, required=False)

    def as_description(self) -> dict | None:
        """The stored form of the row, or None for an empty or removed row."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get("name"):
            return None
        row = {"name": data["name"], "result_type": data["result_type"]}
        values = [v.strip() for v in data.get("allowed_values", "").split(",") if v.strip()]
        if values:
            row["allowed_values"] = values
        if data.get("required_value"):
            row["required_value"] = data["required_value"]
        return row


ResultRowFormSet = forms.formset_factory(ResultRowForm, extra=0, can_delete=True, max_num=20)


class SeriesForm(forms.Form):
    """Make a levelled family at once: one line per level."""

    family = forms.CharField(label=_("Family name"), max_length=100)
    slug_prefix = forms.SlugField(
        label=_("Identifier prefix"),
        max_length=70,
        allow_unicode=True,
        help_text=_("Levels get <prefix>-1, <prefix>-2, …"),
    )
    description = forms.CharField(
        label=_("Description shared by every level"), widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.CharField(label=_("Area"), max_length=100, required=False)
    achievement_type = forms.ChoiceField(label=_("Type"), initial="Badge")
    levels = forms.CharField(
        label=_("Levels, one per line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Write each level as: name | criteria. "
            "E.g. Swimming 1 | Swim 25 m freestyle. At most 10 levels."
        ),
    )
    result_name = forms.CharField(
        label=_("Result recorded on awards"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. time for 25 m freestyle."),
    )
    shape = forms.ChoiceField(
        label=_("Shape"), choices=[(s, s) for s in generate.SHAPES], initial="hexagon"
    )
    color = _color_field(_("Colour"))
    icon = forms.ChoiceField(label=_("Icon"), choices=[(i, i) for i in generate.ICONS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["achievement_type"].choices = _type_choices()

    def clean_levels(self):
        """One level per non-empty line, ``name | criteria``."""
        levels = []
        for line in self.cleaned_data["levels"].splitlines():
            if not line.strip():
                continue
            name, _sep, criteria = line.partition("|")
            if not name.strip():
                raise forms.ValidationError(_("Every line needs a level name before the |."))
            if len(name.strip()) > 200:
                raise forms.ValidationError(_("A level name is longer than 200 characters."))
            levels.append({"name": name.strip(), "criteria_md": criteria.strip()})
        if not levels:
            raise forms.ValidationError(_("Write at least one level."))
        if len(levels) > generate.MAX_LEVEL:
            raise forms.ValidationError(
                _("A series has at most %(n)d levels.") % {"n": generate.MAX_LEVEL}
            )
        return levels


# --- Competency frameworks ---------------------------------------------------------------


class FrameworkForm(forms.Form):
    """Add or rename a competency framework."""

    name = forms.CharField(label=_("Framework name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https")


class FrameworkPartForm(forms.Form):
    """Add or rename an area or a level of a framework."""

    code = forms.CharField(label=_("Code"), max_length=32, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
