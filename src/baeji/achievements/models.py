"""Achievements (badge classes). Content lives in versions: once awarded, a version is frozen."""

from django.db import models

from baeji.core.models import PublicModel


class Competency(PublicModel):
    """An item of a competency framework that badges align to (kept as data, not code)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="competencies"
    )
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    framework = models.CharField(max_length=200, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="competency_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Achievement(PublicModel):
    """A badge class of one issuer; what it says is in ``current_version``."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="achievements"
    )
    slug = models.SlugField(max_length=80, allow_unicode=True)
    current_version = models.ForeignKey(
        "AchievementVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="achievement_slug_unique")
        ]

    def __str__(self) -> str:
        return self.current_version.name if self.current_version else self.slug


class AchievementVersion(PublicModel):
    """One version of a badge class's content. Awards point at the version they were issued on."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    description = models.TextField()
    criteria_md = models.TextField(blank=True)
    achievement_type = models.CharField(max_length=64, default="Badge")
    category = models.CharField(max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True)
    family = models.CharField(max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    level_name = models.CharField(max_length=50, blank=True)
    valid_days = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(max_length=8, default="ko")
    # [{"name", "result_type", "allowed_values", "required_level"}], ids are derived on issue.
    result_descriptions = models.JSONField(default=list, blank=True)
    # [{"target_name", "target_url", "target_code", "target_framework", ...}]
    alignments = models.JSONField(default=list, blank=True)
    design = models.JSONField(default=dict, blank=True)
    image_png = models.BinaryField(blank=True, default=b"")
    image_svg = models.TextField(blank=True)

    class Meta:
        ordering = ["achievement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class CompetencyFramework(PublicModel):
    """A competency framework kept as data: its issuance areas and its levels.

    An authority's frameworks are seen (not edited) by its member institutions, so a whole
    district can align badges to the same areas and levels.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="frameworks"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class FrameworkArea(PublicModel):
    """An issuance area of a framework (what badges align to, e.g. "AI 기초 소양")."""

    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="areas"
    )
    code = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class FrameworkLevel(PublicModel):
    """A level of a framework (e.g. 기초, 활용, 심화, 전문), in order."""

    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="levels"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
