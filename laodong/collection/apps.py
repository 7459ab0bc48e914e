from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "laodong.collection"
    label = "collection"
    verbose_name = "Thu thập phiếu"
