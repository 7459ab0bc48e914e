from django.urls import path

from laodong.forms import views

urlpatterns = [
    path("", views.list_forms, name="forms-list-forms"),
    path("<slug:code>/template.xlsx", views.download_template, name="forms-download-template"),
    path("<slug:code>/schema.json", views.view_schema, name="forms-view-schema"),
    path("<slug:code>/blank.pdf", views.download_blank_pdf, name="forms-download-blank-pdf"),
]
