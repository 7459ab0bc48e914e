from django.urls import path

from laodong.reports import views

urlpatterns = [
    path("statistics/", views.view_statistics, name="reports-view-statistics"),
    path(
        "statistics/<str:output_format>/",
        views.download_statistics,
        name="reports-download-statistics",
    ),
]
