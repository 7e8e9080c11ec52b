"""What the growth view shows, computed from a learner's awards in a fixed number of queries.

"What paper could not do": counts per competency, a content-area × level matrix, a timeline,
and for each levelled family where the learner stands and what the next step asks.
Only badges that count are used: valid (not revoked or suspended) and not expired. Badges the
learner imported from other issuers count too, when their last verification passed: in the
total, the timeline and the competencies they are aligned to (matched to a known competency
by its URL, or by framework and code); levels and families are this platform's catalogue.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from baeji.achievements.models import Achievement, Competency
from baeji.achievements.rendering import render_markdown
from baeji.awards.models import Award
from baeji.backpack.models import ImportedBadge


@dataclass
class CompetencyCount:
    """One competency of a framework and how many of the learner's badges align to it."""

    code: str
    name: str
    count: int
    url: str = ""


@dataclass
class Framework:
    """A competency framework (e.g. an institution's 9 core competencies) with counts."""

    name: str
    organization: str
    items: list[CompetencyCount]

    @property
    def total(self) -> int:
        """Badges aligned to any of the framework's competencies (a badge may count twice)."""
        return sum(item.count for item in self.items)


@dataclass
class Step:
    """One level of a levelled family of badges."""

    level: int
    name: str
    level_name: str
    held: bool
    version_public_id: str
    criteria_md: str = ""

    @property
    def criteria_html(self):
        """The step's criteria, rendered safely."""
        return render_markdown(self.criteria_md)

    @property
    def label(self) -> str:
        """The level's name (기초/활용/…) or its number."""
        return self.level_name or str(self.level)


@dataclass
class Family:
    """A levelled family (수영 1–8단계; 기초 → 활용 → 심화 → 전문) and the learner's place in it."""

    organization: str
    name: str
    steps: list[Step]

    @property
    def highest(self) -> Step | None:
        """The highest level the learner holds."""
        held = [s for s in self.steps if s.held]
        return held[-1] if held else None

    @property
    def next_step(self) -> Step | None:
        """The first level above the highest one held (None at the top)."""
        top = self.highest.level if self.highest else 0
        return next((s for s in self.steps if s.level > top), None)


@dataclass
class Matrix:
    """Content areas × named levels of one issuer, with the learner's badge counts."""

    organization: str
    areas: list[str]
    levels: list[str]
    counts: list[list[int]]

    def rows(self) -> list[tuple[str, list[int]]]:
        """``(area, counts per level)`` pairs for the table."""
        return list(zip(self.areas, self.counts, strict=True))

    def level_totals(self) -> list[int]:
        """Badges per level over all areas."""
        return [sum(row[i] for row in self.counts) for i in range(len(self.levels))]


@dataclass
class Entry:
    """One badge on the timeline: issued here (``award``) or imported from elsewhere."""

    issued_at: datetime
    name: str
    issuer: str
    award: Award | None = None
    imported_public_id: str = ""


@dataclass
class Growth:
    """Everything the growth view shows."""

    awards: list[Award]
    imported: list[ImportedBadge] = field(default_factory=list)
    frameworks: list[Framework] = field(default_factory=list)
    matrices: list[Matrix] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    months: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many badges count (issued here and imported)."""
        return len(self.awards) + len(self.imported)

    @property
    def entries(self) -> list[Entry]:
        """Every badge that counts and has a date, newest first."""
        found = [
            Entry(a.issued_at, a.version.name, a.organization.name, award=a) for a in self.awards
        ]
        found += [
            Entry(i.issued_at, i.name, i.issuer_name, imported_public_id=i.public_id)
            for i in self.imported
            if i.issued_at
        ]
        return sorted(found, key=lambda e: e.issued_at, reverse=True)

    def chart_data(self) -> dict:
        """The JSON island the charts are drawn from (the tables show the same numbers)."""
        return {
            "frameworks": [
                {
                    "id": f"framework-{n}",
                    "title": f"{f.organization} · {f.name}",
                    "labels": [i.name for i in f.items],
                    "counts": [i.count for i in f.items],
                }
                for n, f in enumerate(self.frameworks, start=1)
            ],
            "matrices": [
                {
                    "id": f"matrix-{n}",
                    "title": m.organization,
                    "areas": m.areas,
                    "levels": m.levels,
                    "counts": m.counts,
                }
                for n, m in enumerate(self.matrices, start=1)
            ],
            "timeline": {
                "labels": [m[0] for m in self.months],
                "counts": [m[1] for m in self.months],
                "cumulative": [m[2] for m in self.months],
            },
            "text": {
                "badges": _("Badges"),
                "cumulative": _("Badges in total"),
                "perMonth": _("New badges"),
            },
        }


def counts(award: Award, now: datetime) -> bool:
    """Whether ``award`` counts for growth: valid and not expired."""
    return award.status == Award.Status.ACTIVE and (
        award.valid_until is None or award.valid_until > now
    )


def learner_awards(user) -> list[Award]:
    """The learner's awards that count, oldest first.

    Read through the backpack (``backpack_cards``): that includes awards sent to any of the
    learner's confirmed addresses and leaves out the ones the learner declined.
    """
    from baeji.backpack.selectors import backpack_cards

    now = timezone.now()
    awards = [c.obj for c in backpack_cards(user) if c.kind == "award"]
    return sorted((a for a in awards if counts(a, now)), key=lambda a: (a.issued_at, a.id))


def learner_imports(user) -> list[ImportedBadge]:
    """The badges the learner imported whose last verification passed, oldest first."""
    return list(
        ImportedBadge.objects.filter(user=user, outcome=ImportedBadge.Outcome.VERIFIED)
        .defer("original", "credential_json", "report_json")
        .order_by("issued_at", "id")
    )


def _imported_targets(imported: ImportedBadge) -> list[dict]:
    """An imported badge's alignments in the shape of a badge version's (``target_*``)."""
    return [
        {
            "target_name": item.get("name", ""),
            "target_url": item.get("url", ""),
            "target_code": item.get("code", ""),
            "target_framework": item.get("framework", ""),
        }
        for item in imported.alignments or []
    ]


def _frameworks(
    awards: list[Award], org_ids: set[int], imported: list[ImportedBadge]
) -> list[Framework]:
    aligned = [award.version.alignments or [] for award in awards]
    aligned += [_imported_targets(badge) for badge in imported]
    urls = {t.get("target_url") for targets in aligned for t in targets if t.get("target_url")}
    if imported and urls:
        # A competency published by an issuer on this platform counts badges from anywhere
        # aligned to its URL; its whole framework is then shown.
        org_ids = org_ids | set(
            Competency.objects.filter(url__in=urls).values_list("organization_id", flat=True)
        )
    known = list(
        Competency.objects.filter(organization_id__in=org_ids).select_related("organization")
    )
    by_url = {c.url: c for c in known if c.url}
    by_code = {(c.framework, c.code): c for c in known}
    tally: Counter = Counter()
    loose: dict[tuple[str, str], CompetencyCount] = {}
    for targets in aligned:
        seen = set()
        for target in targets:
            competency = by_url.get(target.get("target_url", "")) or by_code.get(
                (target.get("target_framework", ""), target.get("target_code", ""))
            )
            if competency is not None:
                key = ("known", competency.pk)
            else:
                framework = target.get("target_framework") or _("Other competencies")
                name = target.get("target_name") or target.get("target_code") or "?"
                key = ("loose", framework, name)
                loose.setdefault(
                    (framework, name),
                    CompetencyCount(
                        code=target.get("target_code", ""),
                        name=name,
                        count=0,
                        url=target.get("target_url", ""),
                    ),
                )
            if key not in seen:
                seen.add(key)
                tally[key] += 1
    grouped: dict[tuple[str, str], list[CompetencyCount]] = defaultdict(list)
    for competency in known:
        grouped[(competency.organization.name, competency.framework or _("Competencies"))].append(
            CompetencyCount(
                code=competency.code,
                name=competency.name,
                count=tally[("known", competency.pk)],
                url=competency.url,
            )
        )
    for (framework, name), item in loose.items():
        item.count = tally[("loose", framework, name)]
        grouped[("", framework)].append(item)
    return [
        Framework(name=framework, organization=org, items=sorted(items, key=lambda i: i.code))
        for (org, framework), items in sorted(grouped.items())
        if any(i.count for i in items)
    ]


def _catalogue(org_ids: set[int]) -> list[Achievement]:
    return list(
        Achievement.objects.filter(organization_id__in=org_ids, archived=False)
        .exclude(current_version__family="")
        .exclude(current_version__level=None)
        .select_related("current_version", "organization")
        .order_by("organization__name", "current_version__category", "current_version__level")
    )


def _families(awards: list[Award], catalogue: list[Achievement]) -> list[Family]:
    held: dict[tuple[int, str], set[int]] = defaultdict(set)
    names: dict[tuple[int, str], str] = {}
    for award in awards:
        version = award.version
        if version.family and version.level:
            held[(award.organization_id, version.family)].add(version.level)
            names[(award.organization_id, version.family)] = award.organization.name
    steps: dict[tuple[int, str], dict[int, Step]] = defaultdict(dict)
    for achievement in catalogue:
        version = achievement.current_version
        key = (achievement.organization_id, version.family)
        if key in held:
            steps[key].setdefault(
                version.level,
                Step(
                    level=version.level,
                    name=version.name,
                    level_name=version.level_name,
                    held=version.level in held[key],
                    version_public_id=version.public_id,
                    criteria_md=version.criteria_md,
                ),
            )
    for award in awards:
        # A level held whose badge class is archived still shows as held.
        version = award.version
        key = (award.organization_id, version.family)
        if version.family and version.level and version.level not in steps[key]:
            steps[key][version.level] = Step(
                level=version.level,
                name=version.name,
                level_name=version.level_name,
                held=True,
                version_public_id=version.public_id,
                criteria_md=version.criteria_md,
            )
    return [
        Family(
            organization=names[key],
            name=key[1],
            steps=[step for _level, step in sorted(found.items())],
        )
        for key, found in sorted(steps.items(), key=lambda kv: (names[kv[0]], kv[0][1]))
    ]


def _matrices(awards: list[Award], catalogue: list[Achievement]) -> list[Matrix]:
    named = [a for a in catalogue if a.current_version.level_name]
    by_org: dict[int, list[Achievement]] = defaultdict(list)
    for achievement in named:
        by_org[achievement.organization_id].append(achievement)
    tally = Counter(
        (a.organization_id, a.version.family, a.version.level)
        for a in awards
        if a.version.family and a.version.level
    )
    matrices = []
    for org_id, items in by_org.items():
        areas = list(dict.fromkeys(a.current_version.family for a in items))
        levels = sorted({(a.current_version.level, a.current_version.level_name) for a in items})
        level_names = list(dict.fromkeys(name for _level, name in levels))
        level_numbers = [
            next(n for n, name in levels if name == level_name) for level_name in level_names
        ]
        matrices.append(
            Matrix(
                organization=items[0].organization.name,
                areas=areas,
                levels=level_names,
                counts=[[tally[(org_id, area, n)] for n in level_numbers] for area in areas],
            )
        )
    return matrices


def _months(dates: list[datetime]) -> list[tuple[str, int, int]]:
    if not dates:
        return []
    dates = sorted(dates)
    per_month = Counter(timezone.localtime(d).strftime("%Y-%m") for d in dates)
    first = timezone.localtime(dates[0])
    last = timezone.localtime(dates[-1])
    year, month, rows, total = first.year, first.month, [], 0
    while (year, month) <= (last.year, last.month):
        label = f"{year:04d}-{month:02d}"
        total += per_month[label]
        rows.append((label, per_month[label], total))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def growth_of(awards: list[Award], imported: list[ImportedBadge] | None = None) -> Growth:
    """The growth view of ``awards`` (that count; oldest first) and of verified ``imported``
    badges: four queries at most."""
    imported = imported or []
    org_ids = {a.organization_id for a in awards}
    if not awards and not imported:
        return Growth(awards=[])
    catalogue = _catalogue(org_ids) if awards else []
    return Growth(
        awards=awards,
        imported=imported,
        frameworks=_frameworks(awards, org_ids, imported),
        matrices=_matrices(awards, catalogue),
        families=_families(awards, catalogue),
        months=_months(
            [a.issued_at for a in awards] + [i.issued_at for i in imported if i.issued_at]
        ),
    )


def growth_for_learner(user) -> Growth:
    """The growth view of a learner's own badges (for them, or their guardian)."""
    return growth_of(learner_awards(user), learner_imports(user))


def show_on_profile(user) -> bool:
    """Whether the learner chose to show their growth summary publicly."""
    from baeji.growth.models import GrowthPreference

    return GrowthPreference.objects.filter(user=user, show_on_profile=True).exists()


def growth_summary(user, *, awards) -> dict | None:
    """The public growth summary for ``/u/<handle>``, or None when it must not show.

    ``awards`` are the awards the public profile shows (only those: a summary of private
    badges would reveal them). None unless the learner turned the summary on and
    ``may_share(user)`` allows public sharing (a child under 14 needs a guardian's consent).
    """
    from baeji.guardians.selectors import may_share

    if not show_on_profile(user) or not may_share(user):
        return None
    now = timezone.now()
    counted = sorted(
        (a for a in awards if counts(a, now)),
        key=lambda a: (a.issued_at, a.id),
    )
    growth = growth_of(counted)
    return {
        "total": growth.total,
        "competencies": [
            {"framework": f.name, "name": i.name, "count": i.count}
            for f in growth.frameworks
            for i in f.items
            if i.count
        ],
        "families": [
            {"organization": f.organization, "name": f.name, "highest": f.highest.label}
            for f in growth.families
            if f.highest
        ],
        "since": timezone.localtime(counted[0].issued_at).date() if counted else None,
    }


def profile_section(profile) -> tuple[str, dict] | None:
    """The growth section of the public profile ``/u/<handle>`` (registered with the backpack).

    Summarises only the badges the learner made public there, and only while
    :func:`growth_summary` allows it.
    """
    from baeji.backpack.selectors import backpack_cards

    user = profile.user
    if not show_on_profile(user):
        # One query for every profile that has not turned the summary on.
        return None
    public = [c.obj for c in backpack_cards(user) if c.kind == "award" and c.is_public]
    summary = growth_summary(user, awards=public)
    if summary is None:
        return None
    return "growth/_public_summary.html", {"summary": summary}
