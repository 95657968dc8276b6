from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "lifebuoy.escalations"
    label = "escalations"
    verbose_name = "Escalations and on-call"

    def ready(self) -> None:
        from lifebuoy.escalations import subscribers
        from lifebuoy.escalations.hooks import escalations_on_sla_event
        from lifebuoy.sla.events import sla_event_subscribe

        sla_event_subscribe(escalations_on_sla_event)
        subscribers.register()
