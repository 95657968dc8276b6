from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "lifebuoy.kb"
    label = "kb"
    verbose_name = "Knowledge base"
