from django.urls import path

from laodong.register import bulk_views, leaving_views, request_views, views

# "new/" (register-create-person) is routed in laodong/urls.py, which hands it the campaigns'
# claim on a form keyed for someone on a campaign's list.

urlpatterns = [
    path("", views.list_people, name="register-list-people"),
    path("import/", views.import_people, name="register-import-people"),
    path("import/<int:pk>/", views.view_import, name="register-view-import"),
    path(
        "import/<int:pk>/progress/",
        views.view_import_progress,
        name="register-view-import-progress",
    ),
    path(
        "import/<int:pk>/errors.xlsx",
        views.download_import_errors,
        name="register-download-import-errors",
    ),
    path("transfers/", views.list_transfers, name="register-list-transfers"),
    path("transfers/<int:pk>/", views.view_transfer, name="register-view-transfer"),
    path("bulk/", bulk_views.upload_bulk, name="register-upload-bulk"),
    path(
        "bulk/template.xlsx",
        bulk_views.download_bulk_template,
        name="register-download-bulk-template",
    ),
    path("bulk/<int:pk>/", bulk_views.view_bulk, name="register-view-bulk"),
    path(
        "bulk/<int:pk>/errors.xlsx",
        bulk_views.download_bulk_errors,
        name="register-download-bulk-errors",
    ),
    path("requests/", request_views.list_requests, name="register-list-requests"),
    path(
        "requests/new/<int:person_pk>/",
        request_views.create_request,
        name="register-create-request",
    ),
    path("requests/<int:pk>/", request_views.view_request, name="register-view-request"),
    path("<int:pk>/", views.view_person, name="register-view-person"),
    path("<int:pk>/edit/", views.edit_person, name="register-edit-person"),
    path("<int:pk>/form.pdf", views.download_person_pdf, name="register-download-person-pdf"),
    path("<int:pk>/close/", leaving_views.close_person, name="register-close-person"),
    path("<int:pk>/reopen/", leaving_views.reopen_person, name="register-reopen-person"),
    path("evidence/<int:pk>/", leaving_views.download_evidence, name="register-download-evidence"),
]
