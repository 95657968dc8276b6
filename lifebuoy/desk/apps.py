from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The agent desk: the queue and the ticket page, composed from the apps below it."""

    name = "lifebuoy.desk"
    label = "desk"
    verbose_name = "Agent desk"
