from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lifebuoy.portal"
    label = "portal"
    verbose_name = "Customer portal"
