"""Reads of the api app, always scoped to the token's (or page's) organization."""

from __future__ import annotations

from django.db.models import Q

from baeji.api.models import ApiToken


def tokens_for_organization(organization):
    """An organization's tokens, live ones first."""
    return (
        ApiToken.objects.filter(organization=organization)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at", "-id")
    )


def token_of_organization(organization, public_id: str) -> ApiToken:
    """One token of ``organization`` (raises ApiToken.DoesNotExist)."""
    return ApiToken.objects.get(organization=organization, public_id=public_id)


def awards_for_api(
    organization,
    *,
    achievement=None,
    status=None,
    email=None,
    issued_after=None,
    issued_before=None,
    claimed=None,
):
    """The organization's awards for the API list, filtered, newest first."""
    from baeji.awards.models import Award

    queryset = Award.objects.filter(organization=organization)
    if achievement:
        queryset = queryset.filter(
            Q(achievement__public_id=achievement) | Q(achievement__slug=achievement)
        )
    if status:
        queryset = queryset.filter(status=status)
    if email:
        queryset = queryset.filter(recipient_email=email.strip().lower())
    if issued_after:
        queryset = queryset.filter(issued_at__gte=issued_after)
    if issued_before:
        queryset = queryset.filter(issued_at__lt=issued_before)
    if claimed is not None:
        queryset = queryset.filter(claimed_at__isnull=not claimed)
    return queryset.select_related("achievement", "version").order_by("-issued_at", "-id")


def award_for_api(organization, public_id: str):
    """One of the organization's awards (raises Award.DoesNotExist for others' awards)."""
    from baeji.awards.models import Award

    return Award.objects.select_related("achievement", "version", "organization").get(
        organization=organization, public_id=public_id
    )


def achievement_for_api(organization, ref: str):
    """One of the organization's badges by public id or slug (or None)."""
    from baeji.achievements.models import Achievement

    return (
        Achievement.objects.select_related("current_version", "organization")
        .filter(Q(public_id=ref) | Q(slug=ref), organization=organization)
        .first()
    )


def job_for_api(organization, public_id: str):
    """A bulk-issuance job (batch) of the organization, or None."""
    from baeji.bulk.models import Batch

    return (
        Batch.objects.filter(organization=organization, public_id=public_id)
        .select_related("organization")
        .defer("content")
        .first()
    )


def job_items_for_api(job, *, offset: int, limit: int):
    """``(count, rows)``: how many items ``job`` has, and ``limit`` of them from ``offset``
    with what became of each (:class:`baeji.bulk.services.RowResult`)."""
    from baeji.bulk.models import BatchRow
    from baeji.bulk.services import row_results

    count = BatchRow.objects.filter(batch=job).count()
    return count, list(row_results(job, offset=offset, limit=limit))
