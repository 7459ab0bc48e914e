from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "laodong.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        # Connects the sign-in receiver that starts the idle clock.
        from laodong.accounts import middleware  # noqa: F401
