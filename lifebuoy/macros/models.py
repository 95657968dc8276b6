"""Macros: a reply to start from, and the changes to the ticket that go with it.

A macro is personal (it has an owner) or shared with an audience (everyone on the desk, or one
tier); never both. Its text is its own, or comes from a reply template, so that the leads' edits
of the playbook's templates reach every macro built on them. The action fields hold values of
the tickets app's choices (checked by the services, which report each field on its own); an
empty value means "leave this field as it is".
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models.functions import Lower

from lifebuoy.accounts.models import User
from lifebuoy.core.models import TimeStampedModel
from lifebuoy.notifications.models import MessageTemplate


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone on the desk"
    TIER_1 = "tier1", "Tier 1 agents"
    TIER_2 = "tier2", "Tier 2 agents"
    TIER_3 = "tier3", "Tier 3 agents"


TIER_AUDIENCE: dict[int, Audience] = {1: Audience.TIER_1, 2: Audience.TIER_2, 3: Audience.TIER_3}

NAME_MAX = 80


class Macro(TimeStampedModel):
    name = models.CharField(max_length=NAME_MAX)
    body = models.TextField(
        blank=True, help_text="Uses {placeholder} names; empty with a template."
    )
    template = models.ForeignKey(
        MessageTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="macros",
        help_text="When set, the text is the template's body, as the leads keep it.",
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="macros"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, blank=True)
    # Actions, applied through the tickets app's ticket_update; "" leaves the field alone.
    set_status = models.CharField(max_length=16, blank=True)
    set_priority = models.CharField(max_length=8, blank=True)
    set_category = models.CharField(max_length=40, blank=True)
    set_assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assign_to_applier = models.BooleanField(default=False)
    add_tags = models.JSONField(default=list, blank=True)
    remove_tags = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["position", "id"]
        indexes: ClassVar = [
            models.Index(fields=["owner", "position"], name="macro_owner"),
            models.Index(fields=["audience", "position"], name="macro_audience"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner__isnull=False, audience="")
                    | models.Q(owner__isnull=True, audience__in=Audience.values)
                ),
                name="macro_personal_or_shared",
                violation_error_message="A macro is either personal (it has an owner) or shared "
                "with an audience, not both.",
            ),
            models.CheckConstraint(
                condition=(
                    (models.Q(template__isnull=True) & ~models.Q(body=""))
                    | models.Q(template__isnull=False, body="")
                ),
                name="macro_text_or_template",
                violation_error_message="A macro has its own text or takes it from a template, "
                "not both.",
            ),
            models.CheckConstraint(
                condition=~models.Q(set_assignee__isnull=False, assign_to_applier=True),
                name="macro_one_assignee",
                violation_error_message="A macro assigns the ticket to one person or to the "
                "agent applying it, not both.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "owner",
                condition=models.Q(owner__isnull=False),
                name="macro_personal_name_unique",
                violation_error_message="You already have a macro with this name.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(owner__isnull=True),
                name="macro_shared_name_unique",
                violation_error_message="A shared macro with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None
