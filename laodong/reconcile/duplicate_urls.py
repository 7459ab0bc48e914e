from django.urls import path

from laodong.reconcile import cross_views, duplicates

urlpatterns = [
    path("", duplicates.list_duplicates, name="reconcile-list-duplicates"),
    path("decide/", duplicates.decide_pair, name="reconcile-decide-pair"),
    path("merges/<int:pk>/undo/", duplicates.undo_merge, name="reconcile-undo-merge"),
    path("across/<int:pk>/", cross_views.commune_decide, name="reconcile-cross-commune-decide"),
    path("province/", cross_views.province_pairs, name="reconcile-cross-province"),
    path("province/status/", cross_views.province_status, name="reconcile-cross-status"),
    path("province/run/", cross_views.start_run, name="reconcile-cross-run"),
    path(
        "province/pairs/<int:pk>/",
        cross_views.province_decide,
        name="reconcile-cross-province-decide",
    ),
]
