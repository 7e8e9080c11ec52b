"""URLs of the emails app (the demo outbox stays in the project URL map)."""

from django.urls import path

from baeji.emails import views

urlpatterns = [
    path("m/<str:token>", views.email_open, name="email-open"),
    path("orgs/<slug:slug>/emails", views.organization_emails, name="organization-emails"),
    path("manage/awards/<str:public_id>/resend", views.award_resend, name="award-resend"),
]
