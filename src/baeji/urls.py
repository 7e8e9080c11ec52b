"""URL map. Public, stable URLs (credentials, DID documents, status lists) must never move."""

from django.contrib import admin
from django.urls import include, path

from baeji.accounts import views as accounts
from baeji.achievements import views as achievements
from baeji.awards import views as awards
from baeji.emails import views as emails
from baeji.organizations import views as organizations
from baeji.verification import views as verification

urlpatterns = [
    path("", organizations.home, name="home"),
    # Public and permanent.
    path("c/<str:public_id>.json", verification.credential_json, name="credential-json"),
    path("c/<str:public_id>.png", verification.credential_png, name="credential-png"),
    path("c/<str:public_id>.svg", verification.credential_svg, name="credential-svg"),
    # After the suffixed forms: <str> would swallow "id.json" too.
    path("c/<str:public_id>", verification.credential, name="credential"),
    path("badges/<str:public_id>", verification.badge, name="badge"),
    path("badges/<str:public_id>/image.png", verification.badge_image, name="badge-image"),
    path("issuers/<slug:slug>/", verification.issuer, name="issuer"),
    path("issuers/<slug:slug>/did.json", verification.did_document, name="did-document"),
    path(
        "issuers/<slug:slug>/status/<str:public_id>",
        verification.status_list,
        name="status-list",
    ),
    path("verify", verification.verify_page, name="verify"),
    # Learners.
    path("claim/<str:token>", accounts.claim, name="claim"),
    path("me/badges", accounts.my_badges, name="my-badges"),
    path("signin/<str:token>", accounts.login_link, name="login-link"),
    # Staff.
    path("orgs/<slug:slug>/", organizations.organization_detail, name="organization"),
    path("orgs/<slug:slug>/audit", organizations.organization_audit, name="organization-audit"),
    path(
        "orgs/<slug:slug>/members",
        organizations.organization_members,
        name="organization-members",
    ),
    path(
        "invitations/<str:token>",
        organizations.invitation_accept_view,
        name="invitation-accept",
    ),
    path(
        "manage/badges/<str:public_id>", achievements.achievement_detail, name="achievement-detail"
    ),
    path("manage/awards/<str:public_id>", awards.award_detail, name="award-detail"),
    # Demo only (404 unless BAEJI_DEV_OUTBOX).
    path("dev/outbox", emails.outbox, name="dev-outbox"),
    path("dev/outbox/<int:pk>", emails.outbox_message, name="dev-outbox-message"),
    path("", include("baeji.backpack.urls")),
    path("", include("baeji.achievements.urls")),
    path("", include("baeji.organizations.urls")),
    path("", include("baeji.keystore.urls")),
    path("", include("baeji.guardians.urls")),
    path("", include("baeji.growth.urls")),
    path("", include("baeji.claims.urls")),
    path("", include("baeji.emails.urls")),
    path("", include("baeji.bulk.urls")),
    path("api/", include("baeji.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
