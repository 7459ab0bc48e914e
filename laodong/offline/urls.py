from django.urls import path

from laodong.offline import views

urlpatterns = [
    path("", views.app, name="offline-app"),
    path("manifest.webmanifest", views.manifest, name="offline-manifest"),
    path("sw.js", views.service_worker, name="offline-service-worker"),
    path("download/", views.download, name="offline-download"),
    path("sync/", views.sync, name="offline-sync"),
    path("conflicts/", views.list_conflicts, name="offline-list-conflicts"),
    path("conflicts/<int:pk>/", views.view_conflict, name="offline-view-conflict"),
    path("conflicts/<int:pk>/decide/", views.decide_conflict, name="offline-decide-conflict"),
    path("devices/", views.list_devices, name="offline-list-devices"),
    path("devices/<uuid:pk>/revoke/", views.revoke_device, name="offline-revoke-device"),
]
