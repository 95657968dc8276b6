from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from lifebuoy.integrations.webhook.signing import sign
from lifebuoy.notifications.models import Delivery
from lifebuoy.notifications.services.delivery import delivery_attempt
from lifebuoy.notifications.tests.loopback import http_receiver, json_body
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import message_add

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("github_settings"),
]
SECRET = "gh-secret"


@pytest.fixture
def github_settings():
    with override_settings(
        LIFEBUOY_GITHUB_WEBHOOK_SECRET=SECRET,
        LIFEBUOY_GITHUB_REPOSITORIES=["dual-trinity/dual-trinity", "acme/deploy=acme"],
        LIFEBUOY_GITHUB_TOKEN="",
    ):
        yield


def issue(repo="dual-trinity/dual-trinity", number=7, login="octo", title="C3 never starts"):
    return {
        "action": "opened",
        "repository": {"full_name": repo},
        "issue": {
            "number": number,
            "title": title,
            "body": "Steps: install, start, wait.",
            "html_url": f"https://github.com/{repo}/issues/{number}",
            "user": {"login": login, "type": "User"},
        },
    }


def comment(body="Still broken.", login="octo", kind="User", **kw):
    payload = issue(**kw)
    payload["action"] = "created"
    payload["comment"] = {"body": body, "user": {"login": login, "type": kind}}
    return payload


def deliver(payload, event="issues", delivery="d-1", secret=SECRET):
    body = json.dumps(payload).encode()
    return Client().post(
        reverse("integrations:github_webhook"),
        body,
        content_type="application/json",
        headers={
            "X-Hub-Signature-256": sign(secret, body),
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
        },
    )


def test_an_issue_in_a_community_repository_becomes_a_community_ticket():
    response = deliver(issue())
    assert response.status_code == HTTPStatus.OK
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.priority) == ("github", "P4")
    assert ticket.organization.slug == "community"
    assert ticket.subject == "C3 never starts"
    assert "https://github.com/dual-trinity/dual-trinity/issues/7" in ticket.description
    assert not Delivery.objects.filter(kind="email").exists()  # no address to write to


def test_an_issue_in_a_paying_organizations_repository_gets_priority(acme):
    deliver(issue(repo="acme/deploy"))
    ticket = Ticket.objects.get()
    assert (ticket.organization, ticket.priority) == (acme, "P2")


def test_signatures_redeliveries_and_unwatched_repositories():
    assert deliver(issue(), secret="wrong").status_code == HTTPStatus.UNAUTHORIZED
    deliver(issue())
    deliver(issue())  # GitHub redelivers with the same delivery id
    deliver(issue(repo="someone/else"), delivery="d-2")
    assert Ticket.objects.count() == 1
    assert deliver({}, event="ping", delivery="p").json() == {"detail": "pong"}


def test_comments_join_the_ticket_and_our_own_echo_is_ignored(bob, now):
    deliver(issue())
    deliver(comment(), event="issue_comment", delivery="d-2")
    deliver(comment(body="hi <!-- lifebuoy -->"), event="issue_comment", delivery="d-3")
    deliver(comment(kind="Bot", login="ci"), event="issue_comment", delivery="d-4")
    ticket = Ticket.objects.get()
    assert [m.body for m in ticket.messages.all()] == ["Still broken."]


def test_agent_replies_are_posted_back_as_issue_comments(bob):
    deliver(issue())
    now = timezone.now()
    ticket = Ticket.objects.get()
    with http_receiver() as (received, url):
        api = url.rsplit("/", 1)[0]
        with override_settings(LIFEBUOY_GITHUB_TOKEN="t0ken", LIFEBUOY_GITHUB_API_URL=api):
            message_add(ticket=ticket, author=bob, body="Try `dt restart c3`.", now=now)
            message_add(ticket=ticket, author=bob, body="internal", is_internal=True, now=now)
            (delivery,) = Delivery.objects.filter(kind="github")
            assert delivery_attempt(delivery_id=delivery.id, now=now).outcome == "sent"
    (request,) = received
    assert request["path"] == "/repos/dual-trinity/dual-trinity/issues/7/comments"
    assert request["headers"]["Authorization"] == "Bearer t0ken"
    assert json_body(request)["body"].startswith("Try `dt restart c3`.")
    # When GitHub echoes the comment back, it does not become a customer message.
    echoed = comment(body=json_body(request)["body"], login="lifebuoy-bot")
    deliver(echoed, event="issue_comment", delivery="d-echo")
    assert ticket.messages.filter(author=bob).count() == 2
    assert ticket.messages.count() == 2
