from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from lifebuoy.macros.models import Audience, Macro

pytestmark = pytest.mark.django_db

LIST = reverse("macros:list")
CREATE = reverse("macros:create")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**fields: str) -> dict[str, str]:
    return {
        "name": "Ask for logs",
        "template": "",
        "body": "Hello {customer_name}, please send the logs.",
        "audience": "",
        "set_status": "pending",
        "set_priority": "",
        "set_category": "",
        "set_assignee": "applier",
        "add_tags": "needs-logs, C2",
        "remove_tags": "",
        **fields,
    }


def test_the_page_lists_my_macros_and_the_shared_ones(make_macro, ted, bob):
    make_macro("Ted triage", owner=ted, set_status="pending", add_tags=["triage"])
    make_macro("Bob secret", owner=bob)
    page = _client(ted).get(LIST)
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert "Ted triage" in html
    assert "When sent, also: set status to Pending customer, add tag triage." in html
    assert "Resolution" in html  # shared with everyone
    assert "Bob secret" not in html
    # Ted changes his own macro, not the shared ones.
    assert html.count(">Edit</a>") == 1


def test_the_page_searches_by_name(make_macro, ted):
    make_macro("Ted triage", owner=ted)
    html = _client(ted).get(LIST, {"q": "TRIAGE"}).content.decode()
    assert "Ted triage" in html
    assert "Initial response" not in html
    assert "No shared macro has this in its name." in html


def test_an_agent_creates_a_personal_macro(ted):
    response = _client(ted).post(CREATE, _form())
    assert response.status_code == HTTPStatus.FOUND
    macro = Macro.objects.get(name="Ask for logs")
    assert (macro.owner, macro.set_status, macro.assign_to_applier) == (ted, "pending", True)
    assert macro.add_tags == ["needs-logs", "c2"]


def test_a_bad_action_value_is_shown_on_its_field_and_the_input_kept(ted):
    response = _client(ted).post(CREATE, _form(set_status="done", set_priority="P9"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "“done” is not a status" in html
    assert "“P9” is not a priority" in html
    assert "please send the logs" in html
    assert not Macro.objects.filter(name="Ask for logs").exists()


def test_an_agent_cannot_share_and_is_told_so_on_the_form(ted):
    response = _client(ted).post(CREATE, _form(audience=Audience.EVERYONE))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Only support leads and admins share macros" in response.content.decode()


def test_a_lead_shares_a_macro_that_takes_its_text_from_a_template(lena, bob):
    data = _form(
        name="Resolve for tier 2",
        template="resolution",
        body="",
        audience=Audience.TIER_2,
        set_status="resolved",
        set_assignee=str(bob.id),
        add_tags="",
    )
    assert _client(lena).post(CREATE, data).status_code == HTTPStatus.FOUND
    macro = Macro.objects.get(name="Resolve for tier 2")
    assert macro.owner is None
    assert macro.template is not None
    assert macro.template.key == "resolution"
    assert (macro.audience, macro.set_assignee, macro.created_by) == ("tier2", bob, lena)


def test_an_unknown_assignee_is_refused_on_its_field(lena, alice):
    response = _client(lena).post(CREATE, _form(set_assignee=str(alice.id)))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose a member of the support staff from the list." in response.content.decode()


def test_an_agent_edits_their_macro(make_macro, ted):
    macro = make_macro("Mine", owner=ted)
    url = reverse("macros:edit", args=[macro.id])
    page = _client(ted).get(url)
    assert page.status_code == HTTPStatus.OK
    assert "Edit “Mine”" in page.content.decode()
    assert _client(ted).post(url, _form(name="Still mine")).status_code == HTTPStatus.FOUND
    macro.refresh_from_db()
    assert macro.name == "Still mine"


def test_an_agent_may_not_edit_a_shared_macro_and_never_sees_anothers(make_macro, ted, bob):
    shared = make_macro("Shared", audience=Audience.EVERYONE)
    theirs = make_macro("Bob only", owner=bob)
    client = _client(ted)
    assert client.get(reverse("macros:edit", args=[shared.id])).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("macros:edit", args=[theirs.id])).status_code == HTTPStatus.NOT_FOUND
    assert client.post(reverse("macros:delete", args=[shared.id])).status_code == HTTPStatus.FOUND
    assert Macro.objects.filter(id=shared.id).exists()  # refused, with a message on the list
    assert (
        client.post(reverse("macros:delete", args=[theirs.id])).status_code == HTTPStatus.NOT_FOUND
    )


def test_delete_and_move(make_macro, lena):
    first = make_macro("First", audience=Audience.EVERYONE, position=10)
    second = make_macro("Second", audience=Audience.EVERYONE, position=11)
    client = _client(lena)
    client.post(reverse("macros:move", args=[second.id]), {"direction": "up"})
    shared = list(Macro.objects.filter(owner=None).values_list("name", flat=True))
    assert shared.index("Second") < shared.index("First")
    response = client.post(reverse("macros:delete", args=[first.id]), follow=True)
    assert "Deleted the macro “First”." in response.content.decode()
    assert not Macro.objects.filter(id=first.id).exists()


@pytest.mark.parametrize("persona", ["alice", "charlie"])
def test_customers_get_404_on_every_macro_page(request, make_macro, persona):
    client = _client(request.getfixturevalue(persona))
    macro = make_macro("Shared", audience=Audience.EVERYONE)
    pages = [
        ("get", LIST),
        ("get", CREATE),
        ("post", CREATE),
        ("get", reverse("macros:edit", args=[macro.id])),
        ("post", reverse("macros:edit", args=[macro.id])),
        ("post", reverse("macros:move", args=[macro.id])),
        ("post", reverse("macros:delete", args=[macro.id])),
    ]
    for method, url in pages:
        response = getattr(client, method)(url, _form() if method == "post" else None)
        assert response.status_code == HTTPStatus.NOT_FOUND, (method, url)
    assert Macro.objects.filter(id=macro.id, name="Shared").exists()
    assert not Macro.objects.filter(name="Ask for logs").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == HTTPStatus.FOUND
    assert "/accounts/login/" in response["Location"]
