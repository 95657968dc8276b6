from django.apps import AppConfig


class SlackConfig(AppConfig):
    name = "lifebuoy.integrations.slack"
    label = "slack"
    verbose_name = "Slack Connect"

    def ready(self) -> None:
        # Imported here, not at the top: subscribers load once the registry is ready.
        from lifebuoy.core.config_cache import invalidate_on_change
        from lifebuoy.integrations.slack import outbound
        from lifebuoy.integrations.slack.models import SlackChannel

        invalidate_on_change(SlackChannel)
        outbound.register()
