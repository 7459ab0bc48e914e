from django.urls import path

from laodong.register import views

urlpatterns = [
    path("", views.list_people, name="register-list-people"),
    path("new/", views.create_person, name="register-create-person"),
    path("import/", views.import_people, name="register-import-people"),
    path("<int:pk>/", views.view_person, name="register-view-person"),
    path("<int:pk>/edit/", views.edit_person, name="register-edit-person"),
    path("<int:pk>/form.pdf", views.download_person_pdf, name="register-download-person-pdf"),
]
