"""``manage.py kb_reindex``: rebuild the knowledge-base search index from the articles."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lifebuoy.kb.services import kb_reindex


class Command(BaseCommand):
    help = "Rebuild the knowledge-base search index from the stored articles."

    def handle(self, *args: Any, **options: Any) -> None:
        count = kb_reindex()
        self.stdout.write(f"Indexed {count} articles.")
