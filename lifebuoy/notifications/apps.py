from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lifebuoy.notifications"
    label = "notifications"
    verbose_name = "Customer communication"

    def ready(self) -> None:
        # Imported here, not at the top: models and subscribers load once the registry is ready.
        from lifebuoy.core.config_cache import invalidate_on_change
        from lifebuoy.notifications import subscribers
        from lifebuoy.notifications.models import WebhookEndpoint

        invalidate_on_change(WebhookEndpoint)
        subscribers.register()
