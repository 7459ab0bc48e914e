from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "laodong.handover"
    label = "handover"
    verbose_name = "Bàn giao cho Công an xã"
