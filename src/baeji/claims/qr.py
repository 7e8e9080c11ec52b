"""QR codes as inline SVG (segno), for code sheets and the campaign projector page."""

from __future__ import annotations

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, label: str, scale: int = 4) -> SafeString:
    """An accessible inline SVG QR code for ``data``; ``label`` names it for screen readers."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(scale=scale, dark="#000", light="#fff", omitsize=False)
    # segno's output holds only numbers and path data; the label is ours and escaped.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # noqa: S308 - generated markup, label escaped above
