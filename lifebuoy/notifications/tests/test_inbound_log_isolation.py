"""The inbound log holds other people's raw mail: support leads and admins only, as a matrix."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.notifications.inbound.services import inbound_email_receive
from lifebuoy.notifications.models import InboundEmail

pytestmark = pytest.mark.django_db

PAGES = [("log", "/desk/inbound/"), ("raw", "/desk/inbound/{id}/raw/")]
ALLOWED = {"lena", "ada"}
ROLES = ["alice", "charlie", "ted", "bob", "grace", "lena", "ada"]


@pytest.fixture
def refused(now, db) -> int:
    result = inbound_email_receive(
        raw=b"From: two@x.example, addresses@y.example\r\nSubject: s\r\n\r\nhi",
        envelope_from="mx@x.example",
        now=now,
    )
    assert result.status == "rejected"
    return InboundEmail.objects.get().id


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "path"), PAGES)
def test_inbound_log_matrix(request, refused, role, name, path, settings, now):
    settings.LIFEBUOY_INBOUND_LOG_DAYS = 36500  # the fixture's mail is dated in the past
    client = Client()
    client.force_login(request.getfixturevalue(role))
    status = client.get(path.format(id=refused)).status_code
    assert status == (HTTPStatus.OK if role in ALLOWED else HTTPStatus.FORBIDDEN)


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(refused, name, path):
    response = Client().get(path.format(id=refused))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_a_missing_message_is_404_for_a_lead(lena):
    client = Client()
    client.force_login(lena)
    assert client.get("/desk/inbound/999999/raw/").status_code == HTTPStatus.NOT_FOUND
