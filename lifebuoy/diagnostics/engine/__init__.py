"""The doctor: diagnoses a Dual Trinity deployment from its git repository.

Django-free on purpose: nothing in this package may import Django, Celery or ``lifebuoy.core``.
Only ``repo.py`` runs git, and only read-only subcommands.
"""
