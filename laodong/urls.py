from django.urls import include, path
from django.views.i18n import set_language

from laodong.collection.views import claim_register_form
from laodong.overview import audit_log
from laodong.overview import views as overview_views
from laodong.register.views import create_person

urlpatterns = [
    path("", overview_views.home, name="overview-home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("units/", include("laodong.units.urls")),
    path("accounts/", include("laodong.accounts.urls")),
    path("forms/", include("laodong.forms.urls")),
    path(
        "register/new/",
        create_person,
        {"after_create": claim_register_form},
        name="register-create-person",
    ),
    path("register/", include("laodong.register.urls")),
    path("campaigns/", include("laodong.campaigns.urls")),
    path("updates/", include("laodong.handover.update_urls")),
    path("ids/", include("laodong.reconcile.id_urls")),
    path("extracts/", include("laodong.reconcile.extract_urls")),
    path("duplicates/", include("laodong.reconcile.duplicate_urls")),
    path("reports/", include("laodong.reports.urls")),
    path("notices/", include("laodong.notices.urls")),
    path("offline/", include("laodong.offline.urls")),
    path("api/v1/", include("laodong.api.urls")),
    path("audit/", audit_log.list_events, name="audit-list-events"),
    path("audit/export/", audit_log.export_events, name="audit-export-events"),
    path("audit/monthly/", audit_log.monthly_report, name="audit-monthly-report"),
]
