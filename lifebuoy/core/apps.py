from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lifebuoy.core"
    label = "core"
