"""The desk's Slack page: leads connect a channel to one organization, link staff accounts,
and read the events that were ignored; other roles are refused."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from lifebuoy.integrations.slack.models import SlackChannel, SlackUser
from lifebuoy.integrations.tests.slack_helpers import CHANNEL, process_events

pytestmark = pytest.mark.django_db


def test_a_lead_connects_a_channel_and_links_a_staff_account(client, lena, acme, bob):
    client.force_login(lena)
    page = client.get("/desk/slack/")
    assert page.status_code == HTTPStatus.OK
    assert "No channel is connected yet." in page.content.decode()
    response = client.post(
        "/desk/slack/channels/",
        {
            "organization": acme.id,
            "channel_id": "c0acme777",
            "name": "#acme",
            "resolve_emoji": ":+1:",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    channel = SlackChannel.objects.get()
    assert (channel.channel_id, channel.name, channel.resolve_emoji) == ("C0ACME777", "acme", "+1")
    assert channel.connected_by == lena

    response = client.post("/desk/slack/links/", {"slack_user_id": "ubob12345", "user": bob.id})
    assert response.status_code == HTTPStatus.FOUND
    assert SlackUser.objects.get().user == bob
    listing = client.get("/desk/slack/").content.decode()
    assert "UBOB12345" in listing
    assert "Bob" in listing
    assert "Acme" in listing


def test_a_channel_belongs_to_one_organization(client, lena, acme, globex, acme_channel):
    client.force_login(lena)
    response = client.post(
        "/desk/slack/channels/",
        {"organization": globex.id, "channel_id": CHANNEL, "resolve_emoji": "white_check_mark"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "connected to Acme already" in response.content.decode()
    assert SlackChannel.objects.get().organization == acme


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channel_id": "not-a-channel"}, "A Slack channel id starts with C or G"),
        ({"channel_id": "C0ACME777", "resolve_emoji": "no spaces please"}, "Name the emoji"),
    ],
)
def test_bad_input_is_a_clear_400(client, lena, acme, data, message):
    client.force_login(lena)
    response = client.post(
        "/desk/slack/channels/", {"organization": acme.id, "resolve_emoji": "x", **data}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not SlackChannel.objects.exists()


def test_a_lead_pauses_a_channel_and_changes_its_reaction(client, lena, acme_channel):
    client.force_login(lena)
    url = f"/desk/slack/channels/{acme_channel.id}/"
    assert client.get(url).status_code == HTTPStatus.OK
    response = client.post(url, {"name": "acme", "resolve_emoji": "tada"})
    assert response.status_code == HTTPStatus.FOUND
    acme_channel.refresh_from_db()
    assert (acme_channel.resolve_emoji, acme_channel.is_active) == ("tada", False)


@pytest.mark.parametrize("persona", ["ted", "bob", "alice", "charlie"])
def test_only_leads_and_admins_manage_slack(client, request, persona, acme_channel):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/desk/slack/").status_code == HTTPStatus.FORBIDDEN
    assert client.get(f"/desk/slack/channels/{acme_channel.id}/").status_code == (
        HTTPStatus.FORBIDDEN
    )
    response = client.post("/desk/slack/links/", {"slack_user_id": "U0EVIL001", "user": 1})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not SlackUser.objects.exists()


def test_an_admin_sees_ignored_events_with_their_reason(client, ada, slack, sender, acme_channel):
    sender.send(sender.message("CUNKNOWN1", "UALICE001", "hello"))
    process_events()
    client.force_login(ada)
    page = client.get("/desk/slack/?status=ignored").content.decode()
    assert "channel not connected" in page
    assert "CUNKNOWN1" in page
    assert client.get("/desk/slack/channels/99999/").status_code == HTTPStatus.NOT_FOUND
