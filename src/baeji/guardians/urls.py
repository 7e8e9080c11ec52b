"""URLs of the guardians app: the age and guardian steps, consent links, family pages."""

from django.urls import path

from baeji.guardians import views

urlpatterns = [
    path("me/age", views.age_step, name="guardians-age"),
    path("me/guardian", views.guardian_step, name="guardians-guardian"),
    path("guardians/consent/<str:token>", views.consent, name="guardians-consent"),
    path("family/", views.family, name="guardians-family"),
    path("family/<str:child_id>/", views.family_child, name="guardians-child"),
    path("family/<str:child_id>/consent", views.family_consent, name="guardians-child-consent"),
    path("family/<str:child_id>/emails", views.family_emails, name="guardians-child-emails"),
]
