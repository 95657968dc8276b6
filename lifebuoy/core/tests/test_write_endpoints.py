"""API writes: ``Idempotency-Key`` replays, and answers rendered before the write commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from config.celery import app
from lifebuoy.core.idempotency import KEY_LIFETIME, idempotency_keys_purge
from lifebuoy.core.models import IdempotencyKey
from lifebuoy.tickets.models import Message, Ticket
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import PROJECT_APPS

pytestmark = pytest.mark.django_db

KEY = {"headers": {"Idempotency-Key": "4f0c2a7e-reply-1"}}


@pytest.fixture
def ticket(alice: Any, now: Any) -> Ticket:
    return ticket_opened(alice, now, subject="Agents offline", description="All three")


def _reply(client: Any, ticket: Ticket, body: str, **extra: Any) -> Any:
    return client.post(
        f"/api/tickets/{ticket.id}/messages",
        {"body": body},
        content_type="application/json",
        **extra,
    )


def test_a_retry_with_the_same_key_gets_the_first_answer_and_adds_no_second_reply(api, bob, ticket):
    client = api(bob)
    first = _reply(client, ticket, "Restart the agents, please.", **KEY)
    again = _reply(client, ticket, "Restart the agents, please.", **KEY)

    assert first.status_code == again.status_code == HTTPStatus.CREATED
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Message.objects.filter(ticket=ticket, body="Restart the agents, please.").count() == 1


def test_without_a_key_each_post_is_a_new_reply(api, bob, ticket):
    client = api(bob)
    _reply(client, ticket, "Same words")
    _reply(client, ticket, "Same words")
    assert Message.objects.filter(ticket=ticket, body="Same words").count() == 2


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(api, bob, ticket):
    client = api(bob)
    _reply(client, ticket, "First words", **KEY)
    other = _reply(client, ticket, "Other words", **KEY)

    assert other.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert other.json()["code"] == "idempotency_key_reused"
    assert "different request" in other.json()["message"]
    assert not Message.objects.filter(body="Other words").exists()


def test_the_same_key_on_another_path_is_refused(api, bob, ticket):
    client = api(bob)
    _reply(client, ticket, "Hello", **KEY)
    created = client.post(
        "/api/tickets/",
        {"subject": "Hello", "description": "Hello", "requester_id": ticket.requester_id},
        content_type="application/json",
        **KEY,
    )
    assert created.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert created.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_sender(api, bob, ted, ticket):
    _reply(api(bob), ticket, "Same words", **KEY)
    second = _reply(api(ted), ticket, "Same words", **KEY)
    assert second.status_code == HTTPStatus.CREATED
    assert "Idempotent-Replayed" not in second
    assert Message.objects.filter(ticket=ticket, body="Same words").count() == 2


def test_a_refused_request_does_not_use_up_its_key(api, alice, now):
    client = api(alice)
    url, key = "/api/tickets/", {"headers": {"Idempotency-Key": "new-ticket-7"}}
    refused = client.post(
        url,
        {"subject": "Agents offline", "description": "All", "priority": "P9"},
        content_type="application/json",
        **key,
    )
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not IdempotencyKey.objects.exists()

    fixed = {"subject": "Agents offline", "description": "All", "priority": "P2"}
    created = client.post(url, fixed, content_type="application/json", **key)
    replayed = client.post(url, fixed, content_type="application/json", **key)
    assert created.status_code == replayed.status_code == HTTPStatus.CREATED
    assert replayed.json()["id"] == created.json()["id"]
    assert Ticket.objects.filter(subject="Agents offline").count() == 1


def test_an_expired_key_is_a_new_request(api, bob, ticket):
    client = api(bob)
    _reply(client, ticket, "Still there?", **KEY)
    IdempotencyKey.objects.update(created_at=timezone.now() - KEY_LIFETIME - timedelta(minutes=1))
    again = _reply(client, ticket, "Still there?", **KEY)
    assert "Idempotent-Replayed" not in again
    assert Message.objects.filter(ticket=ticket, body="Still there?").count() == 2


def test_a_key_that_is_not_a_short_visible_string_is_refused(api, bob, ticket):
    for bad in ("x" * 256, "two words"):
        response = _reply(api(bob), ticket, "Hi", headers={"Idempotency-Key": bad})
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
        assert response.json()["code"] == "invalid_idempotency_key"
    assert not Message.objects.filter(body="Hi").exists()


def test_an_upload_is_replayed_only_for_the_same_files(api, alice, ticket):
    client = api(alice)
    url = f"/api/tickets/{ticket.id}/attachments"

    def upload(content: bytes) -> Any:
        files = [SimpleUploadedFile("agent.log", content)]
        return client.post(url, {"body": "log", "files": files}, **KEY)

    first = upload(b"C2 stopped at 09:00")
    again = upload(b"C2 stopped at 09:00")
    other = upload(b"C3 stopped at 10:00")

    assert first.status_code == again.status_code == HTTPStatus.CREATED
    assert again.json() == first.json()
    assert other.json()["code"] == "idempotency_key_reused"
    assert Message.objects.filter(ticket=ticket, body="log").count() == 1


def test_the_purge_forgets_keys_older_than_a_day(api, bob, ticket):
    client = api(bob)
    _reply(client, ticket, "Old", headers={"Idempotency-Key": "old"})
    _reply(client, ticket, "New", headers={"Idempotency-Key": "new"})
    now = timezone.now()
    IdempotencyKey.objects.filter(key="old").update(created_at=now - KEY_LIFETIME)

    assert idempotency_keys_purge(now=now) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_the_purge_runs_hourly_from_the_beat_schedule(api, bob, ticket):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "lifebuoy.core.idempotency_keys_purge" in scheduled
    app.loader.import_default_modules()
    _reply(api(bob), ticket, "Old", **KEY)
    IdempotencyKey.objects.update(created_at=timezone.now() - KEY_LIFETIME)
    assert app.tasks["lifebuoy.core.idempotency_keys_purge"]() == 1
    assert not IdempotencyKey.objects.exists()


def test_the_openapi_schema_offers_the_header_on_writes_only(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    create = paths["/api/tickets/"]["post"]["parameters"]
    listing = paths["/api/tickets/"]["get"].get("parameters", [])
    assert "Idempotency-Key" in [p["name"] for p in create]
    assert "Idempotency-Key" not in [p["name"] for p in listing]


# Answers rendered before the commit ---------------------------------------------------------


@contextmanager
def _queries_after_commit() -> Iterator[list[str]]:
    """The SQL run after the outermost transaction committed, until the block ends."""
    after: list[str] = []
    committed = False

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if committed:
            after.append(sql)
        return execute(sql, params, many, context)

    with pytest.MonkeyPatch.context() as patch:
        real_commit = connection._commit  # type: ignore[attr-defined]  # the backend's private step

        def commit() -> None:
            nonlocal committed
            real_commit()
            committed = True

        patch.setattr(connection, "_commit", commit)
        with connection.execute_wrapper(watch):
            yield after


@pytest.mark.django_db(transaction=True, serialized_rollback=True, available_apps=PROJECT_APPS)
def test_writes_answer_without_a_query_after_their_commit(api, alice, bob, now):
    ticket = ticket_opened(alice, now)
    staff, customer = api(bob), api(alice)
    writes = [
        (customer, "/api/tickets/", {"subject": "Offline", "description": "All three"}),
        (staff, f"/api/tickets/{ticket.id}/messages", {"body": "Restart them, please."}),
        (customer, f"/api/tickets/{ticket.id}/messages", {"body": "Done."}),
    ]
    for n, (client, url, body) in enumerate(writes):
        key = {"headers": {"Idempotency-Key": f"write-{n}"}}
        with _queries_after_commit() as after:
            response = client.post(url, body, content_type="application/json", **key)
        assert response.status_code == HTTPStatus.CREATED, response.content
        assert after == [], url

    with _queries_after_commit() as after:
        response = customer.post(
            f"/api/tickets/{ticket.id}/attachments",
            {"body": "log", "files": [SimpleUploadedFile("a.log", b"trace")]},
        )
    assert response.status_code == HTTPStatus.CREATED
    assert after == []

    with _queries_after_commit() as after:
        response = staff.patch(
            f"/api/tickets/{ticket.id}", {"priority": "P2"}, content_type="application/json"
        )
    assert response.status_code == HTTPStatus.OK
    assert after == []
