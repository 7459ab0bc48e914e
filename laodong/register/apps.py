from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "laodong.register"
    label = "register"
    verbose_name = "Cơ sở dữ liệu người lao động"

    def ready(self) -> None:
        from laodong.register import checks  # noqa: F401 — registers the deploy check
