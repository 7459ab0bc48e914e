from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """Each role's home page, drawn from every app (so it sits above them, not in core)."""

    name = "laodong.overview"
    default_auto_field = "django.db.models.BigAutoField"
