from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "laodong.audit"
    label = "audit"
    verbose_name = "Nhật ký"
