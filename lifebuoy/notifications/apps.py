from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lifebuoy.notifications"
    label = "notifications"
    verbose_name = "Customer communication"

    def ready(self) -> None:
        from lifebuoy.notifications.services.alerts import notifications_on_sla_event
        from lifebuoy.sla.events import sla_event_subscribe

        sla_event_subscribe(notifications_on_sla_event)
