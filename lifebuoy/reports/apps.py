from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lifebuoy.reports"
    label = "reports"
    verbose_name = "Reports"
