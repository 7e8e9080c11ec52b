"""Badge images for achievement versions, drawn by baeji.badgeart."""

from __future__ import annotations

from baeji.badgeart.generate import MAX_SUBTITLE_LENGTH, MAX_TEXT_LENGTH, BadgeDesign
from baeji.badgeart.generate import render_png as _render_png
from baeji.badgeart.generate import render_svg as _render_svg

DEFAULT_DESIGN = {"shape": "circle", "color": "#1F5FAD", "icon": "star"}


def badge_design(
    *, name: str, organization_name: str, level: int | None, design: dict
) -> BadgeDesign:
    """The badgeart design of a badge: the issuer's choices (shape, colour, icon, short text)
    with the badge name and issuer as the default text."""
    chosen = {**DEFAULT_DESIGN, **(design or {})}
    return BadgeDesign(
        shape=chosen["shape"],
        color=chosen["color"],
        icon=chosen["icon"],
        text=(chosen.get("text") or name)[:MAX_TEXT_LENGTH],
        subtitle=(chosen.get("subtitle") or organization_name)[:MAX_SUBTITLE_LENGTH],
        level=level,
        accent_color=chosen.get("accent_color"),
    )


def render_images(
    *, name: str, organization_name: str, level: int | None, design: dict
) -> tuple[bytes, str]:
    """The (PNG bytes, SVG text) of a badge."""
    badge = badge_design(name=name, organization_name=organization_name, level=level, design=design)
    return _render_png(badge, 512), _render_svg(badge, 512)
