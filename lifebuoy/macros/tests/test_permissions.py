"""Who may see, create, change and delete which macros: every persona against a personal and a
shared macro, through the gate and the services, as the pages and the API call them."""

from __future__ import annotations

import pytest

from lifebuoy.core.errors import NotFound, PermissionDenied, ValidationFailed
from lifebuoy.macros.actions import MacroData
from lifebuoy.macros.models import Audience, Macro
from lifebuoy.macros.selectors import macro_get_for_user
from lifebuoy.macros.services import macro_create, macro_delete, macro_update

pytestmark = pytest.mark.django_db

OK = "ok"
Outcome = object  # OK, or the error the case raises
STAFF: dict[tuple[str, str], Outcome] = {
    ("personal", "view"): OK,
    ("personal", "create"): OK,
    ("personal", "edit"): OK,
    ("personal", "delete"): OK,
    ("shared", "view"): OK,
    ("shared", "create"): ValidationFailed,  # on the audience field
    ("shared", "edit"): PermissionDenied,
    ("shared", "delete"): PermissionDenied,
}
MATRIX: dict[str, dict[tuple[str, str], Outcome]] = {
    "alice": dict.fromkeys(STAFF, NotFound),  # a customer: no macro exists for them
    "ted": STAFF,  # an agent
    "grace": STAFF,  # an engineer is staff like an agent
    "lena": dict.fromkeys(STAFF, OK),
    "ada": dict.fromkeys(STAFF, OK),
}
CASES = [
    (persona, kind, operation, outcome)
    for persona, outcomes in MATRIX.items()
    for (kind, operation), outcome in outcomes.items()
]


def _data(kind: str, name: str) -> MacroData:
    audience = Audience.EVERYONE if kind == "shared" else ""
    return MacroData(name=name, body="Hello {customer_name}.", audience=audience)


def _act(user, kind: str, operation: str, target: Macro, now) -> None:
    if operation == "create":
        macro_create(actor=user, data=_data(kind, "Brand new"), now=now)
        return
    macro = macro_get_for_user(user=user, macro_id=target.id)  # every interface gates first
    if operation == "edit":
        macro_update(macro=macro, actor=user, data=_data(kind, "Renamed"))
    elif operation == "delete":
        macro_delete(macro=macro, actor=user)


@pytest.mark.parametrize(("persona", "kind", "operation", "outcome"), CASES)
def test_permission_matrix(request, make_macro, now, persona, kind, operation, outcome):
    user = request.getfixturevalue(persona)
    # The same setup for every case: the persona's own personal macro (even a customer's, as a
    # row no service would write), and a macro shared with everyone.
    target = (
        make_macro("Target", owner=user)
        if kind == "personal"
        else make_macro("Target", audience=Audience.EVERYONE)
    )
    if outcome is OK:
        _act(user, kind, operation, target, now)
        if operation == "edit":
            assert Macro.objects.get(id=target.id).name == "Renamed"
        if operation == "delete":
            assert not Macro.objects.filter(id=target.id).exists()
        if operation == "create":
            created = Macro.objects.get(name="Brand new")
            assert created.is_shared == (kind == "shared")
            assert created.created_by == user
        return
    with pytest.raises(outcome):
        _act(user, kind, operation, target, now)
    assert Macro.objects.filter(id=target.id, name="Target").exists()
    assert not Macro.objects.filter(name="Brand new").exists()


def test_an_agent_never_reaches_another_agents_personal_macro(make_macro, ted, bob, now):
    theirs = make_macro("Bob's", owner=bob)
    with pytest.raises(NotFound):
        macro_get_for_user(user=ted, macro_id=theirs.id)
    # Even handed the row directly, the services refuse.
    with pytest.raises(PermissionDenied):
        macro_update(macro=theirs, actor=ted, data=_data("personal", "Mine now"))
    with pytest.raises(PermissionDenied):
        macro_delete(macro=theirs, actor=ted)


def test_a_lead_cannot_reach_an_agents_personal_macro_either(make_macro, ted, lena):
    with pytest.raises(NotFound):
        macro_get_for_user(user=lena, macro_id=make_macro("Ted's", owner=ted).id)


def test_an_agent_sharing_their_macro_is_told_on_the_audience_field(make_macro, ted):
    mine = make_macro("Mine", owner=ted)
    with pytest.raises(ValidationFailed) as info:
        macro_update(macro=mine, actor=ted, data=_data("shared", "Mine"))
    assert info.value.extra["fields"] == {
        "audience": "Only support leads and admins share macros; keep this one yours."
    }


def test_a_lead_shares_their_macro_and_takes_a_shared_one_back(make_macro, lena):
    mine = make_macro("Lena's", owner=lena)
    shared = macro_update(macro=mine, actor=lena, data=_data("shared", "Lena's"))
    assert shared.owner is None
    assert shared.audience == Audience.EVERYONE
    back = macro_update(macro=shared, actor=lena, data=_data("personal", "Lena's"))
    assert back.owner == lena
    assert back.audience == ""


@pytest.mark.parametrize("gate_input", ["", None, "abc", "0", "-1", "１", "99999999"])
def test_the_gate_refuses_what_names_no_macro(ted, gate_input):
    with pytest.raises(NotFound):
        macro_get_for_user(user=ted, macro_id=gate_input)
