"""The playbook's reply templates as shared macros: what the data migration loads, and what
tests that empty the database load again."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

PLAYBOOK_MACROS = [
    # (template key, name, status to set)
    ("initial_response", "Initial response", "open"),
    ("status_update", "Status update", ""),
    ("resolution", "Resolution", "resolved"),
]


def load_playbook_macros(*, template_model: Any, macro_model: Any) -> None:
    """One shared macro per playbook template, its text taken from the template (so the
    leads' edits reach it); a template missing or already used by a macro is skipped."""
    now = timezone.now()
    for position, (key, name, status) in enumerate(PLAYBOOK_MACROS, start=1):
        template = template_model.objects.filter(key=key).first()
        if template is None or macro_model.objects.filter(template=template).exists():
            continue
        macro_model.objects.create(
            name=name,
            body="",
            template=template,
            owner=None,
            audience="everyone",
            set_status=status,
            position=position,
            created_at=now,
            updated_at=now,
        )
