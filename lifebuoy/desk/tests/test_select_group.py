"""The ticket page's property selects are built in one pass, as Django's field group builds
them: the same label, options, selection, errors and ARIA attributes."""

from __future__ import annotations

import re

import pytest

from lifebuoy.desk.forms import TicketUpdateForm
from lifebuoy.desk.templatetags.desk_tags import select_group

pytestmark = pytest.mark.django_db


def _markup(html: object) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    "data",
    [
        None,  # as the page opens
        {"status": "bogus", "priority": "P2", "category": "bug", "assignee": "ted", "tags": ""},
        {"status": "open", "priority": "", "category": "bug", "assignee": "", "tags": ""},
    ],
)
def test_each_select_reads_as_djangos_field_group(bob, ted, data):
    if data is None:
        form = TicketUpdateForm(
            initial={"status": "open", "priority": "P2", "category": "bug", "assignee": bob.id}
        )
    else:
        form = TicketUpdateForm({**data, "assignee": str(ted.id) if data["assignee"] else ""})
        assert not form.is_valid()
    for name in ("status", "priority", "category", "assignee"):
        assert _markup(select_group(form[name])) == _markup(form[name].as_field_group())
