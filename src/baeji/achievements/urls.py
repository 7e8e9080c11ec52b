"""URLs of the badge designer and the competency frameworks (staff pages)."""

from django.urls import path

from baeji.achievements import views

urlpatterns = [
    path("orgs/<slug:slug>/badges/new", views.achievement_new, name="achievement-new"),
    path("orgs/<slug:slug>/badges/series", views.achievement_series, name="achievement-series"),
    path("orgs/<slug:slug>/badges/preview", views.design_preview, name="design-preview"),
    path("manage/badges/<str:public_id>/edit", views.achievement_edit, name="achievement-edit"),
    path("orgs/<slug:slug>/frameworks", views.framework_list, name="framework-list"),
    path(
        "orgs/<slug:slug>/frameworks/<str:public_id>",
        views.framework_detail,
        name="framework-detail",
    ),
]
