"""The backpack's URLs: the learner's own pages under /me/, shared pages at /share/ and /u/."""

from django.urls import path

from baeji.accounts import views as accounts
from baeji.backpack import views

urlpatterns = [
    path("me/badges/a/<str:public_id>", views.award_detail, name="backpack-award"),
    path("me/badges/a/<str:public_id>/certificate", views.certificate, name="backpack-certificate"),
    path("me/badges/i/<str:public_id>", views.import_detail, name="backpack-import"),
    path("me/badges/i/<str:public_id>/image", views.import_image, name="backpack-import-image"),
    path("me/import", views.import_new, name="backpack-import-new"),
    path("me/export", views.export_all, name="backpack-export"),
    path("me/collections", views.collections, name="backpack-collections"),
    path("me/collections/<int:pk>", views.collection_edit, name="backpack-collection"),
    path("me/profile", views.profile_edit, name="backpack-profile"),
    path("me/did", views.did_new, name="backpack-did"),
    path("me/account", accounts.account_settings, name="account-settings"),
    path("me/account/delete", accounts.account_delete_view, name="account-delete"),
    path("share/<str:share_id>", views.collection_public, name="backpack-share"),
    path("u/<slug:handle>", views.profile_public, name="backpack-profile-public"),
]
