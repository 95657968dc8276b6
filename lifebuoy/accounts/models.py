"""Tenancy: organizations (customers), people and their roles, agent queues, API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

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


class MemberTicketAccess(models.TextChoices):
    """Which tickets an organization's plain members see (organization admins see them all)."""

    PLAN = "plan", "As the plan has it"
    ORGANIZATION = "organization", "All of the organization's tickets"
    OWN = "own", "Their own tickets and those they are CC'd on"


# Plans whose members see all of the organization's tickets unless the organization chose
# otherwise (``MemberTicketAccess.PLAN``): Premium and Managed Services.
PLANS_SHARING_TICKETS = frozenset(
    plan for plan, tier in PLAN_TIER.items() if tier >= SupportTier.PREMIUM
)


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
    member_ticket_access = models.CharField(
        "tickets members see",
        max_length=16,
        choices=MemberTicketAccess.choices,
        default=MemberTicketAccess.PLAN,
        help_text="As the plan has it: all of them on Premium and Managed Services, else their "
        "own and those they are CC'd on. Organization admins always see all of them.",
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

    @property
    def members_see_all_tickets(self) -> bool:
        """Whether a plain member sees every ticket of the organization, not only their own
        and those they are CC'd on (organization admins always do)."""
        if self.member_ticket_access == MemberTicketAccess.PLAN:
            return self.plan in PLANS_SHARING_TICKETS
        return self.member_ticket_access == MemberTicketAccess.ORGANIZATION


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
        """Every sign-in looks the address up as it is stored (lower-cased), whatever its case.
        An address stored with capitals before that (left as it was because its lower-cased
        form belonged to someone else) is still found by its own spelling."""
        typed = (username or "").strip()
        found = {u.email: u for u in self.filter(email__in={typed, email_normalize(typed)})}
        user = found.get(typed) or found.get(email_normalize(typed))
        if user is None:
            raise self.model.DoesNotExist("No one signs in with this address.")
        return user

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
    is_organization_admin = models.BooleanField(
        "organization admin",
        default=False,
        help_text="A customer who sees and manages all of the organization's tickets, invites "
        "and deactivates colleagues, manages webhooks and reads the business reviews.",
    )
    # What a customer is emailed besides what they asked for (password, invitations).
    email_ticket_updates = models.BooleanField(
        "email me support's replies",
        default=True,
        help_text="Replies and resolutions on my tickets and those I am CC'd on.",
    )
    email_surveys = models.BooleanField(
        "email me satisfaction surveys",
        default=True,
        help_text="A short survey after a ticket is resolved, and one a quarter.",
    )
    email_business_reviews = models.BooleanField(
        "email me the quarterly business review",
        default=True,
        help_text="For organization admins of Premium and Managed Services organizations.",
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
            models.CheckConstraint(
                condition=models.Q(is_organization_admin=False) | models.Q(role="customer"),
                name="organization_admin_is_customer",
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

    @property
    def administers_organization(self) -> bool:
        """An active customer who administers their organization."""
        return self.is_active and self.role == Role.CUSTOMER and self.is_organization_admin


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


class Invitation(models.Model):
    """An invitation to an account, by email: the invitee chooses their own password by the
    link, and the account exists only from then on.

    Only a SHA-256 of the link's token is stored. A link works once (``accepted_at`` is set by
    a conditional update) and until ``expires_at``; revoking it or inviting the same address
    again ends it. At most one invitation per address is open at a time.
    """

    email = models.EmailField("email address")
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    tier = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")]
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    is_organization_admin = models.BooleanField("organization admin", default=False)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )

    class Meta:
        ordering = ["-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_once_per_email",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="customer") | models.Q(organization__isnull=False),
                name="invitation_customer_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class EmailChange(models.Model):
    """A requested change of sign-in address, made only when the link sent to the new address
    is opened (once, before ``expires_at``). Only a SHA-256 of the link's token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.new_email}"
