"""Celery is configured by the CELERY_* Django settings, and falls back to its own defaults for
those the project leaves unset."""

from __future__ import annotations

from django.conf import settings

from config.celery import app


def test_celery_sees_the_projects_settings():
    assert app.conf.task_publish_retry is settings.CELERY_TASK_PUBLISH_RETRY is False
    assert app.conf.task_routes == settings.CELERY_TASK_ROUTES
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert app.conf.worker_prefetch_multiplier == settings.CELERY_WORKER_PREFETCH_MULTIPLIER


def test_an_option_the_project_leaves_unset_has_celerys_default():
    assert not hasattr(settings, "CELERY_TASK_DEFAULT_QUEUE")
    assert app.conf.task_default_queue == "celery"
