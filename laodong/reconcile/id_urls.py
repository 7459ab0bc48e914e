from django.urls import path

from laodong.reconcile import id_views

urlpatterns = [
    path("", id_views.list_missing_ids, name="reconcile-list-missing-ids"),
    path("people/<int:pk>/", id_views.complete_person_id, name="reconcile-complete-person-id"),
    path("forms/<int:pk>/", id_views.complete_form_id, name="reconcile-complete-form-id"),
]
