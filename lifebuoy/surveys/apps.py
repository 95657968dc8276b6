from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "lifebuoy.surveys"
    label = "surveys"
    verbose_name = "Satisfaction surveys"
