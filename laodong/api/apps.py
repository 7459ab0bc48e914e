from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "laodong.api"
    label = "api"
    verbose_name = "API"
