from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "laodong.core"
    label = "core"
