"""Recording answers: validation, once only, and the leads' follow-up for low ratings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.db import connections

from lifebuoy.core.errors import InvalidState, ValidationFailed
from lifebuoy.notifications.models import Delivery
from lifebuoy.surveys.models import FollowUpTask, Survey, SurveyKind
from lifebuoy.surveys.services import answers
from lifebuoy.surveys.services.answers import SurveyExpired, survey_answer
from lifebuoy.surveys.services.sending import nps_sweep
from lifebuoy.tickets.tests.factories import TicketFactory
from tests.concurrency import threaded_db_test

from .conftest import resolved_ticket, send_csat

pytestmark = pytest.mark.django_db


def _alerts() -> list[Delivery]:
    return list(Delivery.objects.filter(idempotency_key__contains="survey-follow-up"))


def test_a_low_csat_opens_a_follow_up_and_alerts_the_leads(csat_survey, lena, now, settings):
    settings.LIFEBUOY_SLACK_WEBHOOK_URL = "https://hooks.slack.example/T/B/x"
    survey, _ = csat_survey
    survey_answer(survey=survey, rating=2, comment="Took a week.", now=now)
    task = FollowUpTask.objects.get(survey=survey)
    assert (task.status, task.created_at) == ("open", now)
    email, slack = sorted(_alerts(), key=lambda d: d.kind)
    assert (email.kind, email.target) == ("email", lena.email)
    assert "rated ticket" in email.payload["text"]
    assert "2/5" in email.payload["text"]
    assert "Took a week." in email.payload["text"]
    assert slack.kind == "slack"
    assert "2/5" in slack.payload["text"]


@pytest.mark.parametrize("rating", [3, 4, 5])
def test_a_good_csat_opens_nothing(csat_survey, lena, now, rating):
    survey, _ = csat_survey
    survey_answer(survey=survey, rating=rating, comment="", now=now)
    assert not FollowUpTask.objects.exists()
    assert _alerts() == []


def test_without_leads_the_admins_hear_about_it(csat_survey, ada, now):
    survey, _ = csat_survey
    survey_answer(survey=survey, rating=1, comment="", now=now)
    assert [d.target for d in _alerts()] == [ada.email]


def test_the_answer_and_its_follow_up_are_one_transaction(csat_survey, lena, now, monkeypatch):
    survey, _ = csat_survey

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(answers, "follow_up_open", broken)
    with pytest.raises(RuntimeError, match="the database went away"):
        survey_answer(survey=survey, rating=1, comment="Bad.", now=now)
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_the_service_checks_what_the_form_checks(csat_survey, now):
    survey, _ = csat_survey
    with pytest.raises(ValidationFailed) as bad:
        survey_answer(survey=survey, rating=7, comment="", now=now)
    assert bad.value.extra["fields"] == {"rating": "The rating must be from 1 to 5."}
    with pytest.raises(ValidationFailed) as missing:
        survey_answer(survey=survey, rating=None, comment="x" * 2001, now=now)
    assert set(missing.value.extra["fields"]) == {"rating", "comment"}
    survey_answer(survey=survey, rating=3, comment="  fine\r\nthanks\x00 ", now=now)
    survey.refresh_from_db()
    assert survey.comment == "fine\nthanks"
    with pytest.raises(InvalidState, match="already been answered"):
        survey_answer(survey=survey, rating=3, comment="", now=now)


def test_an_expired_survey_takes_no_answer(csat_survey):
    survey, _ = csat_survey
    with pytest.raises(SurveyExpired, match="survey link has expired") as gone:
        survey_answer(survey=survey, rating=4, comment="", now=survey.expires_at)
    assert gone.value.http_status == HTTPStatus.GONE
    survey.refresh_from_db()
    assert survey.answered_at is None


def _nps_survey(alice) -> Survey:
    TicketFactory(requester=alice, opened_at=datetime(2026, 8, 3, tzinfo=UTC))  # active in Q3
    nps_sweep(now=datetime(2026, 10, 1, 8, tzinfo=UTC))
    return Survey.objects.get(kind=SurveyKind.NPS, contact=alice)


@pytest.mark.parametrize(("rating", "follow_up"), [(0, True), (6, True), (7, False), (10, False)])
def test_nps_detractors_get_a_follow_up(alice, lena, rating, follow_up):
    survey = _nps_survey(alice)
    survey_answer(survey=survey, rating=rating, comment="", now=datetime(2026, 10, 2, tzinfo=UTC))
    assert FollowUpTask.objects.filter(survey=survey).exists() is follow_up


def test_the_nps_scale_is_zero_to_ten(alice):
    survey = _nps_survey(alice)
    with pytest.raises(ValidationFailed) as bad:
        survey_answer(survey=survey, rating=11, comment="", now=datetime(2026, 10, 2, tzinfo=UTC))
    assert bad.value.extra["fields"] == {"rating": "The rating must be from 0 to 10."}


@threaded_db_test
def test_two_answers_at_once_record_one(alice, ted, lena, now):
    survey, _ = send_csat(resolved_ticket(alice, ted, now - timedelta(days=1)), now)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(rating):
        try:
            fresh = Survey.objects.get(id=survey.id)
            barrier.wait()
            survey_answer(survey=fresh, rating=rating, comment="", now=now)
            outcomes.append("recorded")
        except InvalidState:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(r,)) for r in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["recorded", "refused"]
    assert FollowUpTask.objects.count() == 1
