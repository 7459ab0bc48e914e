from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "laodong.offline"
    label = "offline"
    verbose_name = _("Thu thập ngoại tuyến")
    default_auto_field = "django.db.models.BigAutoField"
