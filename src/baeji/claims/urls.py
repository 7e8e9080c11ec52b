"""URLs of the claims app: public claim pages and the issuers' campaign, sheet and funnel pages."""

from django.urls import path

from baeji.claims import views

urlpatterns = [
    path("claim-code", views.claim_code, name="claim-code"),
    path("claim-code/finish", views.claim_code_finish, name="claim-code-finish"),
    path("k/<str:code>", views.claim_code, name="claim-code-scan"),
    path("join/<str:public_id>", views.join, name="campaign-join"),
    path("orgs/<slug:slug>/campaigns", views.campaign_list, name="campaign-list"),
    path("orgs/<slug:slug>/funnel", views.organization_funnel, name="organization-funnel"),
    path("manage/campaigns/<str:public_id>", views.campaign_detail, name="campaign-detail"),
    path(
        "manage/campaigns/<str:public_id>/projector",
        views.campaign_projector,
        name="campaign-projector",
    ),
    path(
        "manage/badges/<str:public_id>/funnel",
        views.achievement_funnel,
        name="achievement-funnel",
    ),
    path(
        "manage/badges/<str:public_id>/claim-sheet",
        views.claim_sheet,
        name="claim-sheet",
    ),
]
