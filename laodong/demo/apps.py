from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo commune and its campaign in mid-flight, made through every app's actions."""

    name = "laodong.demo"
    default_auto_field = "django.db.models.BigAutoField"
