"""URLs of the api app (mounted at /api/): the token page, then the API and /api/docs."""

from django.urls import path

from baeji.api import views
from baeji.api.api import api

urlpatterns = [
    path("orgs/<slug:slug>/tokens", views.api_tokens, name="api-tokens"),
    path("", api.urls),
]
