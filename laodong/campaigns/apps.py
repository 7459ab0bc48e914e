from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "laodong.campaigns"
    label = "campaigns"
    verbose_name = "Kế hoạch thu thập"
