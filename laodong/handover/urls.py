from django.urls import path

from laodong.handover import views

urlpatterns = [
    path("<int:commune_pk>/", views.list_handovers, name="handover-list-handovers"),
    path("<int:commune_pk>/entered/", views.enter_by_ids, name="handover-enter-by-ids"),
    path("<int:commune_pk>/<int:pk>/", views.view_handover, name="handover-view-handover"),
    path("<int:commune_pk>/<int:pk>/entry/", views.entry_sheet, name="handover-entry-sheet"),
    path(
        "<int:commune_pk>/<int:pk>/record.pdf",
        views.download_handover_pdf,
        name="handover-download-handover-pdf",
    ),
]
