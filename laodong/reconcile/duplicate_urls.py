from django.urls import path

from laodong.reconcile import duplicates

urlpatterns = [
    path("", duplicates.list_duplicates, name="reconcile-list-duplicates"),
    path("decide/", duplicates.decide_pair, name="reconcile-decide-pair"),
    path("merges/<int:pk>/undo/", duplicates.undo_merge, name="reconcile-undo-merge"),
]
