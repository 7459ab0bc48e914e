from django.urls import path

from laodong.collection import views

urlpatterns = [
    path("communes/<int:commune_pk>/list/", views.upload_list, name="collection-upload-list"),
    path("imports/<int:pk>/", views.view_import, name="collection-view-import"),
    path(
        "imports/<int:pk>/progress/",
        views.view_import_progress,
        name="collection-view-import-progress",
    ),
    path(
        "imports/<int:pk>/errors.xlsx",
        views.download_import_errors,
        name="collection-download-import-errors",
    ),
    path("work/", views.list_work, name="collection-list-work"),
    path("work/add/", views.add_outside_list, name="collection-add-outside-list"),
    path("work/<int:pk>/", views.view_item, name="collection-view-item"),
    path("work/<int:pk>/approve/", views.approve_item, name="collection-approve-item"),
    path("work/<int:pk>/form/", views.collect_item, name="collection-collect-item"),
    path("work/<int:pk>/accept/", views.accept_item, name="collection-accept-item"),
    path("work/<int:pk>/transfer/", views.request_transfer, name="collection-request-transfer"),
    path("work/<int:pk>/return/", views.return_item, name="collection-return-item"),
    path("work/<int:pk>/exclude/", views.exclude_item, name="collection-exclude-item"),
    path("communes/<int:commune_pk>/review/", views.list_review, name="collection-list-review"),
    path(
        "communes/<int:commune_pk>/closures/",
        views.list_closures,
        name="collection-list-closures",
    ),
    path("communes/<int:commune_pk>/assign/", views.assign_work, name="collection-assign-work"),
    path(
        "communes/<int:commune_pk>/payments/", views.list_payments, name="collection-list-payments"
    ),
    path(
        "communes/<int:commune_pk>/receipts/", views.list_receipts, name="collection-list-receipts"
    ),
    path(
        "communes/<int:commune_pk>/receipts/<int:pk>/pdf/",
        views.download_receipt,
        name="collection-download-receipt",
    ),
]
