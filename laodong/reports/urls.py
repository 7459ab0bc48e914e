from django.urls import path

from laodong.reports import views

urlpatterns = [
    path("", views.index, name="reports-index"),
    path(
        "progress/<int:campaign_pk>/<str:output_format>/",
        views.download_progress,
        name="reports-download-progress",
    ),
    path("statistics/", views.view_statistics, name="reports-view-statistics"),
    path("export/", views.export_people, name="reports-export-people"),
    path("periodic/", views.view_periodic, name="reports-view-periodic"),
    path(
        "periodic/<str:output_format>/",
        views.download_periodic,
        name="reports-download-periodic",
    ),
    path("changes/", views.view_changes, name="reports-view-changes"),
    path("changes/<str:output_format>/", views.download_changes, name="reports-download-changes"),
    path(
        "statistics/<str:output_format>/",
        views.download_statistics,
        name="reports-download-statistics",
    ),
]
