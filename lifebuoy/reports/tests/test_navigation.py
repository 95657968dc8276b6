"""The menus lead each role to the reports meant for it, and only to those."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def menu_links(client, user, page):
    client.force_login(user)
    html = client.get(page).content.decode()
    return {
        name: f'href="{reverse(url)}"' in html
        for name, url in (
            ("follow-ups", "surveys:follow_ups"),
            ("desk reviews", "reports:qbr_index"),
            ("portal reviews", "reports_portal:qbr_home"),
        )
    }


def test_leads_find_follow_ups_and_reviews_agents_only_reviews(client, lena, ted):
    assert menu_links(client, lena, "/desk/") == {
        "follow-ups": True,
        "desk reviews": True,
        "portal reviews": False,
    }
    assert menu_links(client, ted, "/desk/")["follow-ups"] is False
    assert menu_links(client, ted, "/desk/")["desk reviews"] is True


def test_only_premium_customers_see_business_reviews_in_the_portal(client, alice, charlie):
    assert menu_links(client, charlie, "/portal/")["portal reviews"] is True  # Globex: Enterprise
    assert menu_links(client, alice, "/portal/")["portal reviews"] is False  # Acme: Standard
