"""WSGI entry point (gunicorn baeji.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baeji.settings")
application = get_wsgi_application()
