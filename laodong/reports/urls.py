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
    path(
        "statistics/<str:output_format>/",
        views.download_statistics,
        name="reports-download-statistics",
    ),
]
