"""URLs of the organization settings and logo (the older staff pages are in baeji.urls)."""

from django.urls import path

from baeji.organizations import views

urlpatterns = [
    path("orgs/<slug:slug>/settings", views.organization_settings, name="organization-settings"),
    path("issuers/<slug:slug>/logo", views.organization_logo, name="organization-logo"),
]
