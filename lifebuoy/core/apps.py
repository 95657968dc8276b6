from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lifebuoy.core"
    label = "core"

    def ready(self) -> None:
        from lifebuoy.core.worker_db import worker_db_connect_signals

        worker_db_connect_signals()
