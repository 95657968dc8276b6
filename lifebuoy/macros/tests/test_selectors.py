from __future__ import annotations

import pytest

from lifebuoy.core.errors import NotFound
from lifebuoy.macros.models import Audience, Macro
from lifebuoy.macros.selectors import (
    macro_chosen_for_user,
    macro_get_for_user,
    macro_list_for_user,
    macro_rows_for_user,
)

pytestmark = pytest.mark.django_db

PLAYBOOK = ["Initial response", "Status update", "Resolution"]


@pytest.fixture
def desk(make_macro, ted, bob):
    """One macro for each audience, and one personal macro each for ted and bob."""
    return {
        "everyone": make_macro("For everyone", audience=Audience.EVERYONE),
        "tier1": make_macro("Tier 1 triage", audience=Audience.TIER_1),
        "tier2": make_macro("Tier 2 deep dive", audience=Audience.TIER_2),
        "tier3": make_macro("Tier 3 hand-off", audience=Audience.TIER_3),
        "ted": make_macro("Ted's own", owner=ted),
        "bob": make_macro("Bob's own", owner=bob),
    }


def _names(user, search: str = "") -> set[str]:
    return set(macro_list_for_user(user=user, search=search).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("ted", {"everyone", "tier1", "ted"}),
        ("bob", {"everyone", "tier2", "bob"}),
        ("grace", {"everyone"}),  # staff without a tier: what is shared with everyone
        ("lena", {"everyone", "tier1", "tier2", "tier3"}),  # leads look after every shared one
        ("ada", {"everyone", "tier1", "tier2", "tier3"}),
    ],
)
def test_each_person_sees_their_own_macros_and_those_shared_with_them(request, desk, persona, sees):
    user = request.getfixturevalue(persona)
    assert _names(user) == {desk[key].name for key in sees} | set(PLAYBOOK)
    for key, macro in desk.items():
        if key in sees:
            assert macro_get_for_user(user=user, macro_id=macro.id) == macro
        else:
            with pytest.raises(NotFound):
                macro_get_for_user(user=user, macro_id=macro.id)


@pytest.mark.parametrize("persona", ["alice", "charlie"])
def test_customers_have_no_macros(request, desk, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotFound):
        macro_list_for_user(user=user)
    with pytest.raises(NotFound):
        macro_get_for_user(user=user, macro_id=desk["everyone"].id)


def test_search_keeps_names_containing_the_text_in_any_case(desk, ted):
    assert _names(ted, "TRIAGE") == {"Tier 1 triage"}
    assert _names(ted, "  own ") == {"Ted's own"}  # spaces around are ignored
    assert _names(ted, "tier 2") == set()  # not shared with ted's tier
    assert _names(ted, "res") == {"Initial response", "Resolution"}
    assert _names(ted, "nothing like it") == set()


def test_own_macros_come_first_in_their_order(desk, make_macro, ted):
    Macro.objects.filter(id=desk["ted"].id).update(position=2)
    make_macro("Ted's second", owner=ted, position=1)
    names = list(macro_list_for_user(user=ted).values_list("name", flat=True))
    assert names[:2] == ["Ted's second", "Ted's own"]
    assert all(not Macro.objects.get(name=n).is_shared for n in names[:2])
    assert all(Macro.objects.get(name=n).is_shared for n in names[2:])


def test_the_page_rows_cost_one_query_and_say_who_may_change_them(
    desk, make_macro, ted, bob, django_assert_num_queries
):
    make_macro("Assigns", owner=ted, set_assignee=bob, set_status="pending", add_tags=["x"])
    with django_assert_num_queries(1):
        mine, shared = macro_rows_for_user(user=ted)
    assert [row.macro.name for row in mine] == ["Ted's own", "Assigns"]
    assert all(row.editable for row in mine)
    assert not any(row.editable for row in shared)
    assigns = mine[1]
    assert assigns.actions == ["set status to Pending customer", "assign to Bob", "add tag x"]


def test_a_reply_form_names_no_macro_or_one_the_agent_may_use(desk, ted):
    assert macro_chosen_for_user(user=ted, macro_id="") is None
    assert macro_chosen_for_user(user=ted, macro_id=None) is None
    assert macro_chosen_for_user(user=ted, macro_id=str(desk["ted"].id)) == desk["ted"]
    with pytest.raises(NotFound):
        macro_chosen_for_user(user=ted, macro_id=str(desk["bob"].id))
