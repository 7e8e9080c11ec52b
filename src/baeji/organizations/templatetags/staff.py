"""Template helpers of the staff pages."""

from django import template

from baeji.core.access import role_rank_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_rank(context, organization) -> int:
    """The signed-in user's rank over ``organization`` (0 none … 4 owner), for the menu."""
    request = context.get("request")
    if request is None or organization is None:
        return 0
    return role_rank_for_user(request.user, organization)
