"""URLs of the signing keys page."""

from django.urls import path

from baeji.keystore import views

urlpatterns = [
    path("orgs/<slug:slug>/keys", views.key_list, name="key-list"),
    path("orgs/<slug:slug>/keys/rotate", views.key_rotate, name="key-rotate"),
    path("orgs/<slug:slug>/keys/<str:public_id>/revoke", views.key_revoke, name="key-revoke"),
]
