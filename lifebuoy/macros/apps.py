from django.apps import AppConfig


class MacrosConfig(AppConfig):
    name = "lifebuoy.macros"
    label = "macros"
    verbose_name = "Macros"
