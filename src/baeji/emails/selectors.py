"""Reading deliveries, scoped to an organization."""

from django.db.models import Prefetch

from baeji.emails.models import Delivery, DeliveryAttempt


def deliveries_for_organization(organization, *, status: str = "", limit: int = 200):
    """The organization's latest deliveries with their attempts (for the e-mail log page)."""
    queryset = Delivery.objects.filter(organization=organization)
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("award", "award__version")
        .prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
        )
        .order_by("-created_at", "-id")[:limit]
    )


def deliveries_for_award(award):
    """Every e-mail about one award, newest first, with attempts."""
    return (
        Delivery.objects.filter(award=award)
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")
    )
