from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lifebuoy.notifications"
    label = "notifications"
    verbose_name = "Customer communication"
