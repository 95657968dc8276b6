from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "lifebuoy.monitoring"
    label = "monitoring"
