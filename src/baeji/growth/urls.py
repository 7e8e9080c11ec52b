"""URLs of the growth app: the growth view, its settings, the record export."""

from django.urls import path

from baeji.growth import views

urlpatterns = [
    path("me/growth", views.my_growth, name="growth-me"),
    path("me/growth/profile", views.growth_preference, name="growth-preference"),
    path("me/growth/record", views.record_export, name="growth-record"),
    path("family/<str:child_id>/growth", views.child_growth, name="growth-child"),
]
