"""Views agents save from the queue, and views leads share with a tier or with everyone."""

from __future__ import annotations

import pytest
import time_machine

from lifebuoy.core.errors import NotFound, ValidationFailed
from lifebuoy.desk.models import Audience, SavedView
from lifebuoy.desk.selectors import saved_view_get_for_editor, saved_view_list_for_user
from lifebuoy.desk.services import (
    saved_view_create,
    saved_view_delete,
    saved_view_move,
    saved_view_update,
)
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _at_now(now):
    with time_machine.travel(now, tick=False):
        yield


def names(views) -> list[str]:
    return [v.name for v in views]


def test_an_agent_saves_the_queue_and_finds_it_beside_the_views(client, alice, ted, now):
    ticket_opened(alice, now, subject="Urgent hub", priority="P1")
    ticket_opened(alice, now, subject="Slow report", priority="P4")
    client.force_login(ted)
    query = "view=unsolved&priority=P1&sort=newest&cursor=abc&trail=0"
    response = client.post(
        "/desk/views/save/", {"name": "  My   P1s ", "audience": "private", "query": query}
    )
    view = SavedView.objects.get()
    assert (view.name, view.owner, view.audience) == ("My P1s", ted, Audience.PRIVATE)
    assert view.query == "view=unsolved&priority=P1&sort=newest"  # paging is not kept
    opened = client.get(response["Location"])
    assert "<h1>My P1s</h1>" in opened.content.decode()
    assert [t.subject for t in opened.context["page"].items] == ["Urgent hub"]
    assert [(v.name, count) for v, count, _ in opened.context["saved_mine"]] == [("My P1s", 1)]


def test_only_leads_share_and_each_agent_sees_what_is_shared_with_them(ted, bob, lena, now):
    with pytest.raises(ValidationFailed) as refused:
        saved_view_create(owner=ted, name="Mine", query="", audience="everyone", now=now)
    assert refused.value.extra["fields"]["audience"].startswith("Only support leads share")
    saved_view_create(owner=ted, name="Ted's own", query="", audience="private", now=now)
    saved_view_create(owner=lena, name="For all", query="", audience="everyone", now=now)
    saved_view_create(owner=lena, name="Tier 2 only", query="", audience="tier2", now=now)
    saved_view_create(owner=lena, name="Lena's own", query="", audience="private", now=now)

    ted_mine, ted_shared = saved_view_list_for_user(user=ted)
    bob_mine, bob_shared = saved_view_list_for_user(user=bob)
    assert (names(ted_mine), names(ted_shared)) == (["Ted's own"], ["For all"])
    assert (names(bob_mine), names(bob_shared)) == ([], ["For all", "Tier 2 only"])


def test_views_are_renamed_moved_and_deleted_by_their_owner_only(ted, bob, lena, now):
    first = saved_view_create(owner=ted, name="First", query="", audience="private", now=now)
    second = saved_view_create(owner=ted, name="Second", query="", audience="private", now=now)
    third = saved_view_create(owner=ted, name="Third", query="", audience="private", now=now)
    saved_view_move(view=third, actor=ted, up=True)
    saved_view_move(view=first, actor=ted, up=True)  # already first: stays
    assert names(saved_view_list_for_user(user=ted)[0]) == ["First", "Third", "Second"]
    saved_view_update(view=second, actor=ted, name="Renamed", audience="private")
    saved_view_delete(view=first, actor=ted)
    assert names(saved_view_list_for_user(user=ted)[0]) == ["Third", "Renamed"]

    with pytest.raises(NotFound, match=r"That view was not found\."):
        saved_view_get_for_editor(user=bob, view_id=str(third.id))
    with pytest.raises(NotFound, match=r"That view was not found\."):
        saved_view_get_for_editor(user=lena, view_id=str(third.id))  # private: not even a lead
    shared = saved_view_create(owner=lena, name="Team", query="", audience="everyone", now=now)
    assert saved_view_get_for_editor(user=lena, view_id=str(shared.id)) == shared
    with pytest.raises(NotFound, match=r"That view was not found\."):
        saved_view_get_for_editor(user=ted, view_id=str(shared.id))
    with pytest.raises(NotFound, match=r"That view was not found\."):
        saved_view_get_for_editor(user=ted, view_id="²")


def test_the_manage_page_renames_moves_and_deletes(client, ted, bob, now):
    first = saved_view_create(owner=ted, name="First", query="", audience="private", now=now)
    second = saved_view_create(owner=ted, name="Second", query="", audience="private", now=now)
    client.force_login(ted)
    page = client.get("/desk/views/").content.decode()
    assert "First" in page
    assert "Second" in page
    client.post(
        f"/desk/views/{first.id}/",
        {"action": "save", f"v{first.id}-name": "P1 watch", f"v{first.id}-audience": "private"},
    )
    client.post(f"/desk/views/{second.id}/", {"action": "up"})
    assert names(saved_view_list_for_user(user=ted)[0]) == ["Second", "P1 watch"]
    refused = client.post(
        f"/desk/views/{first.id}/",
        {"action": "save", f"v{first.id}-name": "", f"v{first.id}-audience": "private"},
        follow=True,
    )
    assert "Not saved" in refused.content.decode()
    client.post(f"/desk/views/{second.id}/", {"action": "delete"})
    assert names(saved_view_list_for_user(user=ted)[0]) == ["P1 watch"]
    client.force_login(bob)
    assert client.post(f"/desk/views/{first.id}/", {"action": "delete"}).status_code == 404
    assert SavedView.objects.filter(id=first.id).exists()


def test_saving_without_a_name_says_so(client, ted):
    client.force_login(ted)
    response = client.post(
        "/desk/views/save/", {"name": "", "audience": "private", "query": "view=mine"}, follow=True
    )
    assert "The view was not saved" in response.content.decode()
    assert not SavedView.objects.exists()
