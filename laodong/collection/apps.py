from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "laodong.collection"
    label = "collection"
    verbose_name = "Thu thập phiếu"

    def ready(self) -> None:
        from laodong.collection.actions import exclude_left_person
        from laodong.register.signals import person_left

        person_left.connect(exclude_left_person, dispatch_uid="collection.exclude_left_person")
