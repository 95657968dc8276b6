"""The picker the ticket page includes in its reply form."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_the_picker_include_offers_the_search_and_its_script(bob, ticket):
    request = RequestFactory().post("/", {"macro": "7"})
    request.user = bob
    html = render_to_string("macros/picker.html", {"ticket": ticket}, request=request)
    assert f'data-ticket="{ticket.id}"' in html
    assert 'data-list-url="/api/macros/"' in html
    assert 'data-chosen="7"' in html  # a refused reply keeps the chosen macro
    assert 'id="macros-search"' in html
    assert "macros/picker.js" in html
    assert "<script>" not in html  # the CSP allows no inline script
