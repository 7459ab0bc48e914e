"""Handing over the register's changes made outside campaigns (the commune's own page)."""

from django.urls import path

from laodong.handover import views

urlpatterns = [
    path("", views.list_updates, name="handover-list-updates"),
    path("<int:pk>/", views.view_update_handover, name="handover-view-update-handover"),
    path(
        "<int:pk>/record.pdf",
        views.download_update_handover_pdf,
        name="handover-download-update-handover-pdf",
    ),
]
