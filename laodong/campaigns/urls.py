from django.urls import include, path

from laodong.campaigns import views

urlpatterns = [
    path("", views.list_campaigns, name="campaigns-list-campaigns"),
    path("new/", views.create_campaign, name="campaigns-create-campaign"),
    path("<int:pk>/", views.view_campaign, name="campaigns-view-campaign"),
    path("<int:pk>/edit/", views.edit_campaign, name="campaigns-edit-campaign"),
    path("<int:pk>/targets/", views.edit_targets, name="campaigns-edit-targets"),
    path("<int:pk>/close/", views.close_campaign, name="campaigns-close-campaign"),
    path("<int:pk>/rates/", views.edit_rates, name="campaigns-edit-rates"),
    path("<int:campaign_pk>/", include("laodong.collection.urls")),
    path("<int:campaign_pk>/handovers/", include("laodong.handover.urls")),
    path("<int:campaign_pk>/reconcile/", include("laodong.reconcile.urls")),
]
