from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "laodong.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
