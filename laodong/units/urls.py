from django.urls import path

from laodong.units import views

urlpatterns = [
    path("", views.view_unit, name="units-view-own-unit"),
    path("<int:pk>/", views.view_unit, name="units-view-unit"),
    path("<int:pk>/villages/new/", views.create_village, name="units-create-village"),
    path("villages/<int:pk>/edit/", views.edit_village, name="units-edit-village"),
    path("villages/<int:pk>/close/", views.close_village, name="units-close-village"),
    path("villages/import/", views.import_villages, name="units-import-villages"),
    path(
        "villages/template.xlsx",
        views.download_village_template,
        name="units-download-village-template",
    ),
]
