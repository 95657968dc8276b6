"""Tenancy: organizations (customers), people and their roles, agent queues, API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models

from lifebuoy.accounts.auth import email_normalize
from lifebuoy.accounts.timezones import zone_names
from lifebuoy.core.models import TimeStampedModel


def validate_timezone(value: str) -> None:
    if value not in zone_names():
        raise ValidationError(f"“{value}” is not a known time zone (try Europe/Berlin).")


class SupportTier(models.IntegerChoices):
    """The playbook's support tiers, which a plan maps to."""

    COMMUNITY = 1, "Community"
    STANDARD = 2, "Standard"
    PREMIUM = 3, "Premium"
    MANAGED = 4, "Managed Services"


class Plan(models.TextChoices):
    COMMUNITY = "community", "Community (free)"
    CLOUD_STARTER = "cloud_starter", "Cloud Starter"
    CLOUD_PROFESSIONAL = "cloud_professional", "Cloud Professional"
    ENTERPRISE = "enterprise", "Enterprise"
    MANAGED = "managed", "Managed Services"


PLAN_TIER: dict[str, SupportTier] = {
    Plan.COMMUNITY: SupportTier.COMMUNITY,
    Plan.CLOUD_STARTER: SupportTier.STANDARD,
    Plan.CLOUD_PROFESSIONAL: SupportTier.STANDARD,
    Plan.ENTERPRISE: SupportTier.PREMIUM,
    Plan.MANAGED: SupportTier.MANAGED,
}


class Organization(TimeStampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    plan = models.CharField(max_length=32, choices=Plan.choices, default=Plan.COMMUNITY)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO country code for public holidays."
    )
    named_engineer = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="named_organizations",
        help_text="Premium customers' named support engineer, who gets their tickets first.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def support_tier(self) -> SupportTier:
        return PLAN_TIER[self.plan]

    @property
    def is_paying(self) -> bool:
        return self.plan != Plan.COMMUNITY


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Support agent"
    ENGINEER = "engineer", "Engineer"
    LEAD = "lead", "Support lead"
    ADMIN = "admin", "Administrator"


STAFF_ROLES = frozenset({Role.AGENT, Role.ENGINEER, Role.LEAD, Role.ADMIN})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email_normalize(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """Every sign-in looks the address up as it is stored, whatever its case."""
        return self.get(email=email_normalize(username or ""))

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]  # people sign in with their email address
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    tier = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")]
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="The zone this person's pages show times in; empty: their organization's "
        "(customers) or their browser's (staff).",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~models.Q(role="customer") | models.Q(organization__isnull=False),
                name="customer_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = email_normalize(self.email)  # as sign-in looks it up (accounts.auth)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_support_staff(self) -> bool:
        return self.role in STAFF_ROLES


class Queue(TimeStampedModel):
    """Agents working one tier's tickets, or a Premium organization's dedicated queue."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=80, unique=True)
    tier = models.PositiveSmallIntegerField(
        choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3"), (4, "Engineering")]
    )
    organization = models.OneToOneField(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dedicated_queue",
        help_text="Set for a Premium organization's dedicated queue.",
    )
    members = models.ManyToManyField(User, blank=True, related_name="queues")

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(TimeStampedModel):
    """A personal API token. Only a SHA-256 of the secret is stored; the prefix identifies it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
