"""After "Run doctor now" the deployment page refreshes by itself until the poll has run."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifebuoy.monitoring.services.polling import deployment_poll
from lifebuoy.monitoring.tasks import deployment_poll as deployment_poll_task

pytestmark = pytest.mark.django_db
REFRESH = '<meta http-equiv="refresh"'


def _desk(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_refreshes_until_the_requested_poll_ran(
    deployment, customer_repo, bob, monkeypatch, django_capture_on_commit_callbacks
):
    customer_repo.commit("C1: plan", at=timezone.now() - timedelta(minutes=5))
    queued: list[int] = []
    monkeypatch.setattr(deployment_poll_task, "delay", queued.append)
    desk = _desk(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(reverse("monitoring:poll", args=[deployment.id]))
    assert response.status_code == HTTPStatus.FOUND
    assert queued == [deployment.id]
    waiting_url = response["Location"]
    assert "?waiting=" in waiting_url

    before = desk.get(waiting_url).content.decode()
    assert REFRESH in before
    assert "Waiting for the doctor" in before

    deployment_poll(deployment=deployment, now=timezone.now(), force=True)  # the worker's turn
    after = desk.get(waiting_url).content.decode()
    assert REFRESH not in after
    assert "Waiting for the doctor" not in after


def test_it_stops_refreshing_after_two_minutes_and_says_so(deployment, bob):
    long_ago = int((timezone.now() - timedelta(minutes=3)).timestamp())
    url = reverse("monitoring:detail", args=[deployment.id])
    page = _desk(bob).get(f"{url}?waiting={long_ago}").content.decode()
    assert REFRESH not in page
    assert "The doctor has not run yet" in page


@pytest.mark.parametrize("value", ["abc", "-5", "", "999999999999", "99999999999999999999", "1e9"])
def test_a_bad_waiting_value_is_an_ordinary_page(deployment, bob, value):
    url = reverse("monitoring:detail", args=[deployment.id])
    response = _desk(bob).get(f"{url}?waiting={value}")
    assert response.status_code == HTTPStatus.OK
    assert REFRESH not in response.content.decode()
