"""The core app: shared base models, public ids, the access_* permission functions."""

import contextlib
from pathlib import Path

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Compiles the translation catalogues on start, so git holds only text ``.po`` files."""

    name = "baeji.core"
    label = "core"

    def ready(self) -> None:
        """Compile stale .mo catalogues into the data directory before any request asks for them."""
        from django.conf import settings

        from baeji.core.i18n import compile_catalogues

        written = []
        for source, target in zip(settings.LOCALE_SOURCES, settings.LOCALE_PATHS, strict=True):
            written += compile_catalogues(source, target)
        if written:
            from django.utils.translation.reloader import translation_file_changed

            # Drop catalogues loaded before ours existed (Django's own autoreload hook).
            translation_file_changed(sender=None, file_path=written[0])
        # WhiteNoise warns on every start when the static root is missing.
        with contextlib.suppress(OSError):
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
