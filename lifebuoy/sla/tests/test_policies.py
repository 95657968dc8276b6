"""The seeded policies carry the playbook's values exactly; admin edits bump the version."""

from __future__ import annotations

from datetime import time

import pytest

from lifebuoy.sla.models import Policy

pytestmark = pytest.mark.django_db

H = 60
BUSINESS, CALENDAR = "business", "calendar"


def targets(tier):
    policy = Policy.objects.get(tier=tier, organization__isnull=True)
    return {(t.kind, t.priority): (t.minutes, t.hours) for t in policy.targets.all()}


def resolution_targets():
    week = 7 * 24 * H
    return {
        ("resolution", "P1"): (4 * H, CALENDAR),
        ("resolution", "P2"): (24 * H, CALENDAR),
        ("resolution", "P3"): (48 * H, CALENDAR),
        ("resolution", "P4"): (week, CALENDAR),
    }


def test_standard_matches_the_playbook():
    assert targets(2) == {
        ("first_response", "P1"): (4 * H, CALENDAR),
        ("first_response", "P2"): (8 * H, BUSINESS),
        ("first_response", "P3"): (24 * H, BUSINESS),
        ("first_response", "P4"): (48 * H, BUSINESS),
        **resolution_targets(),
    }


def test_premium_matches_the_playbook_and_managed_starts_from_it():
    premium = {
        ("first_response", "P1"): (1 * H, CALENDAR),
        ("first_response", "P2"): (2 * H, BUSINESS),
        ("first_response", "P3"): (8 * H, BUSINESS),
        ("first_response", "P4"): (24 * H, BUSINESS),
        **resolution_targets(),
    }
    assert targets(3) == premium
    assert targets(4) == premium


def test_community_is_a_best_effort_goal_without_resolution_targets():
    policy = Policy.objects.get(tier=1)
    assert policy.is_best_effort
    assert set(targets(1)) == {("first_response", p) for p in ("P1", "P2", "P3", "P4")}
    assert set(targets(1).values()) == {(5 * 24 * H, CALENDAR)}


def test_business_hours_are_nine_to_five_monday_to_friday_in_the_customers_zone():
    calendar = Policy.objects.get(tier=2).calendar
    assert calendar.timezone == ""  # the customer organization's zone
    assert calendar.holiday_country == ""  # and its country's holidays
    windows = [(w.weekday, w.opens, w.closes) for w in calendar.windows.all()]
    assert windows == [(day, time(9), time(17)) for day in range(5)]


def test_saving_a_policy_in_the_admin_bumps_its_version(client, ada):
    policy = Policy.objects.get(tier=2)
    client.force_login(ada)
    form = {
        "name": policy.name,
        "tier": 2,
        "calendar": policy.calendar_id,
        "targets-TOTAL_FORMS": 0,
        "targets-INITIAL_FORMS": 0,
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 1000,
    }
    response = client.post(f"/admin/sla/policy/{policy.id}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.version == 2


def test_admin_lists_calendars_policies_and_clocks(client, ada):
    client.force_login(ada)
    for path in ("calendar", "policy", "clock"):
        assert client.get(f"/admin/sla/{path}/").status_code == 200


def test_the_admin_explains_why_a_second_tier_policy_is_refused(client, ada):
    calendar = Policy.objects.get(tier=2).calendar
    client.force_login(ada)
    response = client.post(
        "/admin/sla/policy/add/",
        {
            "name": "Another Standard",
            "tier": 2,
            "calendar": calendar.id,
            "version": 1,
            "targets-TOTAL_FORMS": 0,
            "targets-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "This tier already has a policy" in response.content.decode()
