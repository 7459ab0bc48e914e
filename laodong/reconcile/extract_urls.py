from django.urls import path

from laodong.reconcile import extract_views

urlpatterns = [
    path("", extract_views.list_extracts, name="reconcile-list-extracts"),
    path("<int:pk>/", extract_views.view_extract, name="reconcile-view-extract"),
    path("<int:pk>/rerun/", extract_views.rerun_extract, name="reconcile-rerun-extract"),
    path("<int:pk>/export/", extract_views.export_extract, name="reconcile-export-extract"),
]
