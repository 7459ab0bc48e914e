from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "laodong.notices"
    label = "notices"
    verbose_name = _("Thông báo")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from laodong.notices.views import tell_at_login

        user_logged_in.connect(tell_at_login, dispatch_uid="notices-at-login")
