from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "lifebuoy.escalations"
    label = "escalations"
    verbose_name = "Escalations and on-call"

    def ready(self) -> None:
        # Imported here, not at the top: models and subscribers load once the registry is ready.
        from lifebuoy.core.config_cache import invalidate_on_change
        from lifebuoy.escalations import subscribers
        from lifebuoy.escalations.models import Rule

        invalidate_on_change(Rule)
        subscribers.register()
