from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "laodong.forms"
    label = "forms"
    verbose_name = "Mẫu phiếu"
