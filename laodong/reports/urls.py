from django.urls import path

from laodong.reports import acceptance_views, custom_views, sent_views, views

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
        "acceptance/<int:campaign_pk>/<int:unit_pk>/",
        acceptance_views.list_acceptances,
        name="reports-list-acceptances",
    ),
    path(
        "acceptance/record/<int:pk>/pdf/",
        acceptance_views.download_acceptance,
        name="reports-download-acceptance",
    ),
    path(
        "acceptance/record/<int:pk>/cancel/",
        acceptance_views.cancel_acceptance,
        name="reports-cancel-acceptance",
    ),
    path("criteria/", custom_views.custom_counts, name="reports-custom-counts"),
    path("criteria/<int:pk>/", custom_views.view_custom_count, name="reports-view-custom-count"),
    path(
        "criteria/<int:pk>/progress/",
        custom_views.custom_count_progress,
        name="reports-custom-count-progress",
    ),
    path(
        "criteria/<int:pk>/<str:output_format>/",
        custom_views.download_custom_count,
        name="reports-download-custom-count",
    ),
    path("sent/", sent_views.list_sent, name="reports-list-sent"),
    path("sent/deadline/<int:pk>/", sent_views.view_deadline, name="reports-view-deadline"),
    path("sent/deadline/<int:pk>/prepare/", sent_views.prepare, name="reports-prepare-sent"),
    path("sent/<int:pk>/", sent_views.view_report, name="reports-view-sent"),
    path("sent/<int:pk>/decide/", sent_views.decide, name="reports-decide-sent"),
    path(
        "sent/<int:pk>/<str:output_format>/",
        sent_views.download_sent,
        name="reports-download-sent",
    ),
    path(
        "statistics/<str:output_format>/",
        views.download_statistics,
        name="reports-download-statistics",
    ),
]
