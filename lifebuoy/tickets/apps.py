from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "lifebuoy.tickets"
    label = "tickets"

    def ready(self) -> None:
        # Imported here, not at the top: models and subscribers load once the registry is ready.
        from lifebuoy.accounts.models import Organization, Queue
        from lifebuoy.core.config_cache import invalidate_on_change
        from lifebuoy.tickets.search import indexing

        invalidate_on_change(Organization, Queue)
        indexing.register()  # the search index is written with every change of a ticket
