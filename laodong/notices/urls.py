from django.urls import path

from laodong.notices import views

urlpatterns = [path("", views.list_notices, name="notices-list-notices")]
