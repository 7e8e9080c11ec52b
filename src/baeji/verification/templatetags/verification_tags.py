"""Template helpers for verification reports."""

from django import template

register = template.Library()


@register.filter
def check_label(name: str) -> str:
    """A person's name for an engine check, in the page's language (the backpack's wording)."""
    from baeji.backpack.verifying import check_label as label

    return label(name)


@register.filter
def check_text(check):
    """What an engine check found, in the page's language: ``.text`` and ``.detail`` (the
    engine's English message, when it says more); see :mod:`baeji.verification.explain`."""
    from baeji.verification.explain import explain_check

    return explain_check(check)
