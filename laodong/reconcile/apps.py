from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReconcileConfig(AppConfig):
    name = "laodong.reconcile"
    label = "reconcile"
    verbose_name = _("Đối soát")
    default_auto_field = "django.db.models.BigAutoField"
