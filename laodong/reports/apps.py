from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "laodong.reports"
    label = "reports"
    verbose_name = "Báo cáo"
