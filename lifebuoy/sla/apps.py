from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "lifebuoy.sla"
    label = "sla"
    verbose_name = "SLA"
