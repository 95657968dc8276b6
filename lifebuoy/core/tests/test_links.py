from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from lifebuoy.core.links import desk_ticket_url, id_path, portal_ticket_url


@pytest.mark.parametrize("name", ["desk:detail", "portal:detail"])
@pytest.mark.parametrize("object_id", [1, 7, 42, 987, 100_000, 2_147_483_647])
def test_a_path_by_id_is_what_reverse_gives(name, object_id):
    assert id_path(name, object_id) == reverse(name, args=[object_id])


def test_ticket_links_are_absolute_on_the_public_address():
    with override_settings(LIFEBUOY_BASE_URL="https://help.example.com/"):
        assert desk_ticket_url(12) == "https://help.example.com" + reverse("desk:detail", args=[12])
        assert portal_ticket_url(12) == "https://help.example.com" + reverse(
            "portal:detail", args=[12]
        )


def test_a_desk_served_under_a_script_prefix_keeps_it_in_its_links():
    plain = id_path("portal:detail", 5)
    set_script_prefix("/support/")
    try:
        assert id_path("portal:detail", 5) == "/support" + plain
        assert id_path("portal:detail", 5) == reverse("portal:detail", args=[5])
    finally:
        clear_script_prefix()
    assert id_path("portal:detail", 5) == plain
