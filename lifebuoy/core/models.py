from typing import ClassVar

from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    # A default rather than auto_now_add, so imports and services can record when a thing happened.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """The answer to one API write sent with an ``Idempotency-Key`` header.

    Written in the same transaction as the write it answers, with the response already rendered:
    a replay finds either nothing (the write did not commit, so doing it now is the first time)
    or the complete answer (so it is returned and the work is not done again). ``principal`` is
    who sent it (``user:<id>``, or a digest of another kind of token): keys are per sender.
    """

    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    # 0 only inside the transaction that claimed the key: the answer is written before it commits.
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"


class ProcessHeartbeat(models.Model):
    """The last sign of life of a background process: each Celery worker every half minute, and
    the scheduler through the heartbeat task it sends to the periodic queue (so its row proves
    that the scheduler sends and that the periodic queue is served). See ``heartbeats.py``."""

    class Kind(models.TextChoices):
        SCHEDULER = "scheduler", "Scheduler"
        WORKER = "worker", "Worker"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    queues = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)  # None: never (a silence noticed)
    # When the desk last warned that this process fell silent (once per silence).
    alerted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
