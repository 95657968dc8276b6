from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lifebuoy.notifications"
    label = "notifications"
    verbose_name = "Customer communication"

    def ready(self) -> None:
        from lifebuoy.core.config_cache import invalidate_on_change
        from lifebuoy.notifications import subscribers
        from lifebuoy.notifications.models import WebhookEndpoint
        from lifebuoy.notifications.services.alerts import notifications_on_sla_event
        from lifebuoy.sla.events import sla_event_subscribe

        sla_event_subscribe(notifications_on_sla_event)
        invalidate_on_change(WebhookEndpoint)
        subscribers.register()
