"""The API, the desk and portal pages, the task and the beat entry; the isolation gate."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lifebuoy.core.errors import NotFound
from lifebuoy.core.tasks import enqueue_batch
from lifebuoy.monitoring.models import Deployment, UsageRecord
from lifebuoy.monitoring.selectors import deployment_get_for_user
from lifebuoy.monitoring.services.deployments import deployment_usage_token_create
from lifebuoy.monitoring.services.polling import deployment_poll
from lifebuoy.monitoring.tasks import deployment_poll as deployment_poll_task
from lifebuoy.monitoring.tasks import poll_due_deployments as poll_due_task

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db


@pytest.fixture
def polled(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=30))
    deployment_poll(deployment=deployment, now=T0)
    deployment_poll(deployment=deployment, now=T0 + timedelta(hours=3))  # C1 offline
    return deployment


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_gate(deployment, alice, carol, bob, charlie):
    for allowed in (alice, carol, bob):
        assert deployment_get_for_user(user=allowed, deployment_id=deployment.id) == deployment
    with pytest.raises(NotFound, match=f"Deployment {deployment.id} was not found"):
        deployment_get_for_user(user=charlie, deployment_id=deployment.id)
    with pytest.raises(NotFound, match=f"Deployment {deployment.id + 1000} was not found"):
        deployment_get_for_user(user=bob, deployment_id=deployment.id + 1000)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    with pytest.raises(NotFound, match=f"Deployment {deployment.id} was not found"):
        deployment_get_for_user(user=alice, deployment_id=deployment.id)


def test_the_api_shows_the_deployment_to_its_organization(polled, alice, api):
    response = api(alice).get(f"/api/monitoring/deployments/{polled.id}")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["deployment"]["name"] == "Acme trinity"
    c1 = next(a for a in body["agents"] if a["agent"] == "cloud/C1")
    assert c1["status"] == "offline"
    assert "agent_offline" in [p["kind"] for p in body["open_problems"]]
    uptime = next(u for u in body["uptime"] if u["agent"] == "cloud/C1")
    assert uptime["label"] == "Cloud C1"
    assert uptime["online_seconds"] < uptime["monitored_seconds"]
    assert body["cost"]["cost"] == "0"
    listed = api(alice).get("/api/monitoring/deployments").json()
    assert [d["id"] for d in listed] == [polled.id]


@pytest.mark.parametrize("path", ["", "/capacity"], ids=["detail", "capacity"])
def test_charlie_from_another_organization_gets_404(polled, charlie, api, path):
    response = api(charlie).get(f"/api/monitoring/deployments/{polled.id}{path}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert api(charlie).get("/api/monitoring/deployments").json() == []
    post = api(charlie).post(f"/api/monitoring/deployments/{polled.id}/poll")
    assert post.status_code == HTTPStatus.NOT_FOUND


def test_staff_queue_a_poll_and_customers_may_not(
    deployment, bob, alice, api, django_capture_on_commit_callbacks, monkeypatch
):
    queued: list[int] = []
    monkeypatch.setattr(deployment_poll_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(bob).post(f"/api/monitoring/deployments/{deployment.id}/poll")
    assert response.status_code == HTTPStatus.ACCEPTED
    assert queued == [deployment.id]
    denied = api(alice).post(f"/api/monitoring/deployments/{deployment.id}/poll")
    assert denied.status_code == HTTPStatus.FORBIDDEN


def test_no_poll_is_queued_without_consent(acme, alice, bob, customer_repo, api):
    deployment = make_deployment(acme, alice, customer_repo.path, consent=False)
    response = api(bob).post(f"/api/monitoring/deployments/{deployment.id}/poll")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["code"] == "no_consent"


def test_usage_is_posted_with_the_deployment_token(deployment, acme, alice, customer_repo):
    other = make_deployment(acme, alice, customer_repo.path, name="other")
    secret = deployment_usage_token_create(deployment=deployment)
    other_secret = deployment_usage_token_create(deployment=other)
    body = (
        '{"date": "2026-11-20", "model": "m", "input_tokens": 10, "output_tokens": 5, '
        '"cost": 1.25}\nnot json\n'
    )
    url = f"/api/monitoring/deployments/{deployment.id}/usage"
    client = Client(headers={"authorization": f"Bearer {secret}"})
    response = client.post(url, data=body, content_type="application/x-ndjson")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["imported"] == 1
    assert response.json()["errors"] == ["line 2: needs a date, a model and tokens or a cost"]
    assert UsageRecord.objects.get(deployment=deployment).cost == 1.25
    wrong = Client(headers={"authorization": f"Bearer {other_secret}"})
    assert wrong.post(url, data=body, content_type="application/x-ndjson").status_code == 404
    anonymous = Client().post(url, data=body, content_type="application/x-ndjson")
    assert anonymous.status_code == HTTPStatus.UNAUTHORIZED


def test_the_desk_page_shows_agents_problems_and_the_button(polled, bob):
    response = _signed_in(bob).get(reverse("monitoring:detail", args=[polled.id]))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    for text in ("Run doctor now", "Offline", "Agent offline", "Uptime", "Cost this month"):
        assert text in page
    assert _signed_in(bob).get(reverse("monitoring:list")).status_code == HTTPStatus.OK


def test_the_portal_page_is_the_customers_and_has_no_internal_notes(polled, alice, charlie):
    url = reverse("monitoring_portal:detail", args=[polled.id])
    page = _signed_in(alice).get(url).content.decode()
    assert "Agent offline" in page
    assert "Monitoring diagnosis" not in page  # the internal note's heading
    assert "Run doctor now" not in page
    assert _signed_in(charlie).get(url).status_code == HTTPStatus.NOT_FOUND
    listing = _signed_in(charlie).get(reverse("monitoring_portal:list")).content.decode()
    assert "Acme trinity" not in listing


def test_the_desk_imports_a_usage_csv(deployment, bob):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("usage.csv", b"date,model,cost\n2026-11-20,m,2.50\n")
    response = _signed_in(bob).post(
        reverse("monitoring:usage", args=[deployment.id]), {"file": upload}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert UsageRecord.objects.get(deployment=deployment).cost == 2.5


def test_an_oversized_usage_csv_is_a_413_and_nothing_is_imported(deployment, bob, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monkeypatch.setattr("lifebuoy.monitoring.views.MAX_CSV_BYTES", 16)
    upload = SimpleUploadedFile("usage.csv", b"date,model,cost\n2026-11-20,m,2.50\n")
    response = _signed_in(bob).post(
        reverse("monitoring:usage", args=[deployment.id]), {"file": upload}
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert b"5 MB" in response.content
    assert not UsageRecord.objects.filter(deployment=deployment).exists()


def test_the_beat_schedule_queues_one_poll_per_due_deployment_for_any_worker(
    deployment, customer_repo, acme, alice, monkeypatch, django_capture_on_commit_callbacks
):
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-poll-due-deployments"]
    assert entry["task"] == poll_due_task.name == "lifebuoy.monitoring.poll_due_deployments"
    customer_repo.commit("C1: plan")
    second = make_deployment(acme, alice, customer_repo.path, name="second")
    make_deployment(acme, alice, customer_repo.path, name="no consent", consent=False)
    queued: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr(enqueue_batch, "delay", enqueue_batch)  # the batch's worker, in-process
    monkeypatch.setattr(deployment_poll_task, "delay", lambda *a, **k: queued.append((a, k)))
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_due_task.run() == 2
    assert sorted(queued, key=str) == [
        ((deployment.id,), {"force": False}),
        ((second.id,), {"force": False}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_due_task.run() == 0  # claimed until their next interval
    assert len(queued) == 2
    assert deployment_poll_task.run(deployment.id, force=False) == "diagnosed"
    assert deployment_poll_task.run(deployment.id, force=False) == "unchanged"
    assert deployment_poll_task.run(deployment.id) == "diagnosed"  # "run doctor now"


def test_a_queued_scheduled_poll_of_a_switched_off_deployment_is_skipped(deployment):
    Deployment.objects.filter(id=deployment.id).update(is_active=False)
    assert deployment_poll_task.run(deployment.id, force=False) == "skipped"


def test_the_poll_task_skips_a_deployment_without_consent(acme, alice, customer_repo):
    deployment = make_deployment(acme, alice, customer_repo.path, consent=False)
    assert deployment_poll_task.run(deployment.id) == "skipped"
    assert deployment_poll_task.run(deployment.id + 999) == "skipped"


def test_the_customer_withdraws_read_access_in_the_portal(deployment, alice, charlie):
    url = reverse("monitoring_portal:consent", args=[deployment.id])
    assert _signed_in(charlie).post(url, {"consent": "no"}).status_code == HTTPStatus.NOT_FOUND
    response = _signed_in(alice).post(url, {"consent": "no"})
    assert response.status_code == HTTPStatus.FOUND
    deployment.refresh_from_db()
    assert deployment.has_read_consent is False
    page = _signed_in(alice).get(reverse("monitoring_portal:detail", args=[deployment.id]))
    assert "Allow read access" in page.content.decode()


def test_the_detail_takes_a_bounded_number_of_queries(
    polled, alice, api, django_assert_max_num_queries
):
    client = api(alice)
    with django_assert_max_num_queries(
        10
    ):  # token (2), gate, run, agents, uptime, problems, cost (2)
        response = client.get(f"/api/monitoring/deployments/{polled.id}")
    assert response.status_code == HTTPStatus.OK
