from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lifebuoy.notifications"
    label = "notifications"
    verbose_name = "Customer communication"

    def ready(self) -> None:
        # Imported here, not at the top: models and subscribers load once the registry is ready.
        from lifebuoy.accounts.mail import account_email_sender_set
        from lifebuoy.core.config_cache import invalidate_on_change
        from lifebuoy.core.heartbeats import scheduler_silent
        from lifebuoy.notifications import subscribers
        from lifebuoy.notifications.models import WebhookEndpoint
        from lifebuoy.notifications.ops_alerts import scheduler_silence_alert
        from lifebuoy.notifications.services.account_mail import account_email_enqueue
        from lifebuoy.notifications.ticket_sharing import ticket_cc_visibility
        from lifebuoy.tickets.selectors import ticket_visible_extend

        invalidate_on_change(WebhookEndpoint)
        subscribers.register()
        account_email_sender_set(account_email_enqueue)
        ticket_visible_extend(shared=ticket_cc_visibility)
        scheduler_silent.connect(scheduler_silence_alert, dispatch_uid="ops-scheduler-silent")
