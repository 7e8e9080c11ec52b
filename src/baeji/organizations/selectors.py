"""Reading organizations: the ones a user works in, public profiles, members."""

from django.db.models import Q

from baeji.organizations.models import Membership, Organization


def organizations_for_user(user):
    """Organizations ``user`` has a role in, directly or through an authority above them."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.select_related("parent").all()
    direct = Membership.objects.filter(user=user).values_list("organization_id", flat=True)
    return (
        Organization.objects.filter(Q(pk__in=direct) | Q(parent_id__in=direct))
        .select_related("parent")
        .order_by("name")
    )


def public_organization(slug: str) -> Organization:
    """An issuer by slug, for its public pages (raises Organization.DoesNotExist)."""
    return Organization.objects.select_related("parent").get(slug=slug)


def members_of(organization):
    """The organization's memberships, with users."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__email")
    )
