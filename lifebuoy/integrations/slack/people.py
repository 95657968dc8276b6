"""Who wrote a Slack message, as a person on the desk.

- A Slack user a lead linked to a staff account is that member of staff.
- Otherwise the Slack user is a customer of the channel's organization: the customer with the
  address Slack reports (``users.info``) when that customer belongs to the organization, else a
  customer created for them there, marked "from Slack", with a reserved address that is never
  mailed and cannot sign in. A staff address or another organization's customer is never
  matched: a Slack profile's address is its workspace's word, not proof.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from lifebuoy.accounts.models import Organization, User
from lifebuoy.accounts.services import customer_create
from lifebuoy.integrations.slack.client import user_profile
from lifebuoy.integrations.slack.models import SlackUser

SYNTHETIC_DOMAIN = "users.slack.invalid"


def slack_user_get(*, slack_user_id: str) -> SlackUser | None:
    return SlackUser.objects.select_related("user").filter(slack_user_id=slack_user_id).first()


def _customer_for(organization: Organization, email: str, name: str, slack_user_id: str) -> User:
    if email:
        found = User.objects.filter(
            email=email, role="customer", organization=organization, is_active=True
        ).first()
        if found is not None:
            return found
    synthetic = f"{slack_user_id.lower()}@{SYNTHETIC_DOMAIN}"
    existing = User.objects.filter(email=synthetic).first()
    if existing is not None:
        return existing
    return customer_create(email=synthetic, full_name=name, organization=organization)


def slack_person(*, slack_user_id: str, organization: Organization, now: datetime) -> SlackUser:
    """The desk's person for a Slack user, found or made (``users.info`` on first sight, outside
    any transaction). Safe when two workers meet the same new user at once."""
    known = slack_user_get(slack_user_id=slack_user_id)
    if known is not None:
        return known
    profile = user_profile(slack_user_id)
    try:
        with transaction.atomic():
            user = _customer_for(organization, profile.email, profile.name, slack_user_id)
            return SlackUser.objects.create(
                slack_user_id=slack_user_id,
                user=user,
                email=profile.email,
                display_name=profile.name,
                is_from_slack=user.email.endswith(SYNTHETIC_DOMAIN),
                created_at=now,
            )
    except IntegrityError:  # another worker made them first
        return SlackUser.objects.select_related("user").get(slack_user_id=slack_user_id)


def slack_author_for(
    *, person: SlackUser, organization: Organization, create: bool = True
) -> User | None:
    """Who writes for ``person`` in a channel of ``organization``: staff as themselves; a
    customer of that organization as themselves. A customer of *another* organization (the
    same Slack user in two organizations' channels) writes there as a "from Slack" customer of
    this one, so a conversation never lands in another organization's tickets."""
    user = person.user
    if user.is_support_staff or user.organization_id == organization.id:
        return user
    email = f"{person.slack_user_id.lower()}+{organization.id}@{SYNTHETIC_DOMAIN}"
    found = User.objects.filter(email=email).first()
    if found is not None or not create:
        return found
    try:
        with transaction.atomic():
            return customer_create(
                email=email,
                full_name=person.display_name or user.full_name,
                organization=organization,
            )
    except IntegrityError:
        return User.objects.get(email=email)


def slack_person_is_staff(person: SlackUser) -> bool:
    """Only a lead's link maps a Slack user to a staff account (matching never does)."""
    return person.user.is_support_staff
