"""Badge images: generated artwork (``generate``) and checked, sanitised uploads (``upload``).

Framework-free: nothing here imports Django, so the achievements app and command-line tools can
both use it.
"""

from baeji.badgeart.generate import (
    ICONS,
    SHAPES,
    BadgeDesign,
    render_png,
    render_svg,
    validate_design,
)
from baeji.badgeart.upload import MAX_DIMENSION, MAX_UPLOAD_BYTES, CleanImage, clean_upload

__all__ = [
    "ICONS",
    "MAX_DIMENSION",
    "MAX_UPLOAD_BYTES",
    "SHAPES",
    "BadgeDesign",
    "CleanImage",
    "clean_upload",
    "render_png",
    "render_svg",
    "validate_design",
]
