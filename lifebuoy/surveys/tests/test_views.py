"""The survey page: GET shows, POST records once; bad links and bad input get clear 4xx pages."""

from __future__ import annotations

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from lifebuoy.surveys.models import FollowUpTask, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous() -> Client:
    return Client(enforce_csrf_checks=True)  # as a mail client's browser: no session, no cookie


def url(token: str) -> str:
    return reverse("surveys:answer", args=[token])


def test_get_shows_the_form_and_records_nothing(anonymous, csat_survey, now):
    survey, token = csat_survey
    with time_machine.travel(now, tick=False):
        response = anonymous.get(url(token) + "?rating=4")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "How satisfied are you" in body
    assert re.search(r'value="4"[^>]* checked>', body)  # preselected from the link
    assert response["Referrer-Policy"] == "no-referrer"
    survey.refresh_from_db()
    assert (survey.rating, survey.answered_at) == (None, None)


def test_a_preselection_outside_the_scale_is_ignored(anonymous, csat_survey, now):
    _, token = csat_survey
    with time_machine.travel(now, tick=False):
        response = anonymous.get(url(token) + "?rating=9")
    assert response.status_code == HTTPStatus.OK
    assert "checked" not in response.content.decode()


def test_post_records_the_answer_without_a_csrf_cookie(anonymous, csat_survey, now):
    survey, token = csat_survey
    at = now + timedelta(hours=1)
    with time_machine.travel(at, tick=False):
        response = anonymous.post(url(token), {"rating": "4", "comment": "Quick and clear."})
    assert response.status_code == HTTPStatus.OK
    assert "Thank you" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment, survey.answered_at) == (4, "Quick and clear.", at)
    assert not FollowUpTask.objects.exists()


def test_a_second_answer_is_refused(anonymous, csat_survey, now):
    survey, token = csat_survey
    with time_machine.travel(now, tick=False):
        anonymous.post(url(token), {"rating": "5"})
        again = anonymous.post(url(token), {"rating": "1", "comment": "Changed my mind"})
        revisit = anonymous.get(url(token))
    for response in (again, revisit):
        assert response.status_code == HTTPStatus.CONFLICT
        assert "already been answered" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (5, "")


def test_an_expired_link_is_refused(anonymous, csat_survey):
    survey, token = csat_survey
    with time_machine.travel(survey.expires_at, tick=False):
        shown = anonymous.get(url(token))
        posted = anonymous.post(url(token), {"rating": "5"})
    for response in (shown, posted):
        assert response.status_code == HTTPStatus.GONE
        assert "expired" in response.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:20],  # truncated by a mail client
        lambda t: "x" * 300,  # nonsense
    ],
)
def test_a_tampered_link_is_refused(anonymous, csat_survey, now, mangle):
    _, token = csat_survey
    with time_machine.travel(now, tick=False):
        shown = anonymous.get(url(mangle(token)))
        posted = anonymous.post(url(mangle(token)), {"rating": "5"})
    for response in (shown, posted):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert "not valid" in response.content.decode()
    assert not Survey.objects.filter(answered_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "6"}, "The rating must be from 1 to 5."),
        ({"rating": "0"}, "The rating must be from 1 to 5."),
        ({"rating": "five"}, "The rating must be from 1 to 5."),
        ({"comment": "No number"}, "Choose a rating from 1 to 5."),
        ({"rating": "3", "comment": "x" * 2001}, "2000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_on_its_field(
    anonymous, csat_survey, now, data, message
):
    survey, token = csat_survey
    with time_machine.travel(now, tick=False):
        response = anonymous.post(url(token), data)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert message in response.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_the_comment_is_shown_to_staff_escaped(anonymous, csat_survey, now, ted, alice):
    survey, token = csat_survey
    with time_machine.travel(now, tick=False):
        anonymous.post(url(token), {"rating": "2", "comment": "<script>alert(1)</script>\nSlow."})
    staff = Client()
    staff.force_login(ted)
    page = staff.get(reverse("desk:detail", args=[survey.ticket_id])).content.decode()
    assert "<strong>2/5</strong>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Slow." in page
    assert "<script>alert(1)" not in page
    customer = Client()
    customer.force_login(alice)
    portal = customer.get(reverse("portal:detail", args=[survey.ticket_id])).content.decode()
    assert "Slow." not in portal


def test_leads_list_follow_ups_and_mark_them_done(anonymous, csat_survey, now, lena, ted):
    survey, token = csat_survey
    with time_machine.travel(now, tick=False):
        anonymous.post(url(token), {"rating": "1", "comment": "Nobody answered for days."})
    task = FollowUpTask.objects.get(survey=survey)
    lead = Client()
    lead.force_login(lena)
    listing = lead.get(reverse("surveys:follow_ups"))
    assert listing.status_code == HTTPStatus.OK
    assert "Nobody answered for days." in listing.content.decode()
    done = lead.post(reverse("surveys:follow_up_done", args=[task.id]), {"note": "Called them."})
    assert done.status_code == HTTPStatus.FOUND
    task.refresh_from_db()
    assert (task.status, task.done_by, task.note) == ("done", lena, "Called them.")
    agent = Client()
    agent.force_login(ted)
    assert agent.get(reverse("surveys:follow_ups")).status_code == HTTPStatus.FORBIDDEN
    assert (
        agent.post(reverse("surveys:follow_up_done", args=[task.id])).status_code
        == HTTPStatus.FORBIDDEN
    )
