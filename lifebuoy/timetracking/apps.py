from django.apps import AppConfig


class TimetrackingConfig(AppConfig):
    name = "lifebuoy.timetracking"
    label = "timetracking"
    verbose_name = "Time tracking"
