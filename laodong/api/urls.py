from django.urls import path

from laodong.api import views

urlpatterns = [
    path("openapi.json", views.openapi_schema, name="api-openapi-schema"),
    path("forms/", views.list_forms, name="api-list-forms"),
    path("forms/<slug:code>/", views.view_form, name="api-view-form"),
    path("forms/<slug:code>/validate/", views.validate_form, name="api-validate-form"),
]
