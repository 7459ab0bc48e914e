from django.urls import path

from laodong.reconcile import views

urlpatterns = [
    path("<int:commune_pk>/", views.view_reconciliation, name="reconcile-view"),
    path("<int:commune_pk>/run/", views.run_reconciliation, name="reconcile-run"),
    path("<int:commune_pk>/rows/<int:pk>/", views.decide_row, name="reconcile-decide-row"),
    path("<int:commune_pk>/record/", views.record_reconciled, name="reconcile-record"),
    path("<int:commune_pk>/export/", views.export_reconciliation, name="reconcile-export"),
]
