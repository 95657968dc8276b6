from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "lifebuoy.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self) -> None:
        # Imported here, not at the top: models and subscribers load once the registry is ready.
        from lifebuoy.core.config_cache import invalidate_on_change
        from lifebuoy.sla import subscribers
        from lifebuoy.sla.models import Calendar, CalendarWindow, Holiday, Policy, Target

        invalidate_on_change(Policy, Target, Calendar, CalendarWindow, Holiday)
        subscribers.register()
