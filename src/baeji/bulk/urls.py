"""URL patterns of bulk issuance (included from baeji.urls)."""

from django.urls import path

from baeji.bulk import views

urlpatterns = [
    path("orgs/<slug:slug>/bulk/", views.bulk_home, name="bulk-home"),
    path("orgs/<slug:slug>/bulk/review", views.review_list, name="bulk-review"),
    path("orgs/<slug:slug>/bulk/assignments", views.assignments, name="bulk-assignments"),
    path("bulk/template.<str:fmt>", views.bulk_template, name="bulk-template"),
    path("bulk/<str:public_id>/", views.batch_detail, name="bulk-batch"),
    path("bulk/<str:public_id>/mapping", views.batch_mapping, name="bulk-mapping"),
    path("bulk/<str:public_id>/submit", views.batch_submit, name="bulk-submit"),
    path("bulk/<str:public_id>/review", views.batch_review, name="bulk-review-decide"),
    path("bulk/<str:public_id>/cancel", views.batch_cancel, name="bulk-cancel"),
    path("bulk/<str:public_id>/progress", views.batch_progress, name="bulk-progress"),
    path("bulk/<str:public_id>/report.csv", views.batch_report, name="bulk-report"),
    path("bulk/<str:public_id>/claim-sheet", views.batch_claim_sheet, name="bulk-claim-sheet"),
]
