"""Problems: one ticket per deployment and kind while open, the diagnosis as an internal note,
priority from tier and severity, KB link, Slack alert; clearing with a note and an email."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections

from lifebuoy.accounts.services import organization_create
from lifebuoy.kb.models import Article, State
from lifebuoy.monitoring.models import Problem, ProblemKind
from lifebuoy.monitoring.services.polling import deployment_poll
from lifebuoy.monitoring.services.problems import Detected, problem_open
from lifebuoy.notifications.models import Delivery
from lifebuoy.tickets.models import Ticket
from tests.concurrency import threaded_db_test

from .conftest import T0, make_deployment

CLOUD = ".consciousness/trinity"
MARKERS = "notes\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n"


def _offline_setup(customer_repo, deployment):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=30))
    deployment_poll(deployment=deployment, now=T0)
    return deployment_poll(deployment=deployment, now=T0 + timedelta(hours=3))


@pytest.mark.django_db
def test_an_agent_going_offline_opens_one_monitoring_ticket(deployment, customer_repo, alice):
    result = _offline_setup(customer_repo, deployment)
    [problem] = result.opened
    assert problem.kind == "agent_offline"
    ticket = problem.ticket
    assert ticket.channel == "monitoring"
    assert ticket.requester == alice
    assert ticket.priority == "P3"  # Standard tier, warning
    assert ticket.category == "agent_not_responding"
    [note] = ticket.messages.all()
    assert note.is_internal
    assert "Monitoring diagnosis" in note.body
    assert "C1" in problem.summary
    for minutes in (10, 20, 30):
        deployment_poll(deployment=deployment, now=T0 + timedelta(hours=3, minutes=minutes))
    offline = Ticket.objects.filter(channel="monitoring", subject__endswith="Agent offline")
    assert offline.count() == 1
    assert Problem.objects.filter(deployment=deployment, kind="agent_offline").count() == 1
    slack = Delivery.objects.filter(idempotency_key=f"slack:monitoring:{problem.id}:opened")
    assert slack.count() == 1


@pytest.mark.django_db
def test_a_cleared_problem_gets_a_note_and_the_owner_an_email(deployment, customer_repo, alice):
    [problem] = _offline_setup(customer_repo, deployment).opened
    customer_repo.commit("C1: back", at=T0 + timedelta(hours=4))
    result = deployment_poll(deployment=deployment, now=T0 + timedelta(hours=4, minutes=1))
    assert [p.id for p in result.cleared] == [problem.id]
    problem.refresh_from_db()
    assert problem.cleared_at == T0 + timedelta(hours=4, minutes=1)
    notes = list(problem.ticket.messages.all())
    assert len(notes) == 2
    assert all(m.is_internal for m in notes)
    assert "cleared" in notes[1].body
    email = Delivery.objects.get(idempotency_key=f"email:monitoring-cleared:{problem.id}")
    assert email.target == alice.email
    # Going offline again later is a new problem with a new ticket.
    later = deployment_poll(deployment=deployment, now=T0 + timedelta(hours=7))
    assert [p.kind for p in later.opened] == ["agent_offline"]
    assert Ticket.objects.filter(subject__endswith="Agent offline").count() == 2


@pytest.mark.django_db
def test_critical_findings_for_managed_services_are_p1(alice, customer_repo):
    org = organization_create(name="Initech", slug="initech", plan="managed", timezone="UTC")
    alice.organization = org
    alice.save(update_fields=["organization"])
    customer_repo.commit("C1: notes", {"notes.md": MARKERS}, at=T0 - timedelta(minutes=5))
    deployment = make_deployment(org, alice, customer_repo.path)
    result = deployment_poll(deployment=deployment, now=T0)
    problem = next(p for p in result.opened if p.kind == "conflict_markers")
    assert problem.severity == "critical"
    assert problem.ticket is not None
    assert problem.ticket.priority == "P1"
    assert problem.ticket.category == "git_conflicts"
    note = problem.ticket.messages.get()
    assert "notes.md" in note.body
    # Fixed in the repository: the next poll clears it.
    customer_repo.commit("C1: resolve", {"notes.md": "notes\n"}, at=T0 + timedelta(minutes=1))
    again = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=2))
    assert "conflict_markers" in [p.kind for p in again.cleared]


@pytest.mark.django_db
def test_no_problem_while_everything_is_healthy(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    result = deployment_poll(deployment=deployment, now=T0)
    assert "agent_offline" not in [p.kind for p in result.opened]
    assert "conflict_markers" not in [p.kind for p in result.opened]


@pytest.mark.django_db
def test_a_second_open_of_the_same_kind_is_refused(deployment):
    found = Detected(kind="repo_over_size", severity="warning", summary="big")
    assert problem_open(deployment=deployment, detected=found, now=T0) is not None
    assert problem_open(deployment=deployment, detected=found, now=T0) is None
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_knowledge_base_article_is_linked(deployment, bob):
    article = Article.objects.create(
        number=99001,
        title="Agent offline",
        issue="i",
        root_cause="r",
        solution="s",
        prevention="p",
        state=State.PUBLISHED,
        created_at=T0,
    )
    finding = {
        "check": "repo_size",
        "category": "slow_consolidation",
        "severity": "warning",
        "summary": "big",
        "evidence": [],
        "solutions": [],
        "kb_article": "KB-99001",
    }
    found = Detected(kind="repo_over_size", severity="warning", summary="big", findings=[finding])
    problem = problem_open(deployment=deployment, detected=found, now=T0)
    assert problem is not None
    assert problem.ticket is not None
    assert list(problem.ticket.kb_links.values_list("article_id", flat=True)) == [article.id]
    assert "KB-99001" in problem.ticket.messages.get().body


@threaded_db_test
def test_two_concurrent_polls_open_one_ticket(acme, alice, customer_repo):
    customer_repo.commit("C1: notes", {"notes.md": MARKERS}, at=T0 - timedelta(minutes=5))
    deployment = make_deployment(acme, alice, customer_repo.path)
    deployment_poll(deployment=deployment, now=T0 - timedelta(days=1))  # the mirror exists
    Problem.objects.all().delete()
    Ticket.objects.all().delete()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def poll():
        try:
            barrier.wait()
            fresh = type(deployment).objects.get(id=deployment.id)
            deployment_poll(deployment=fresh, now=T0, force=True)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Problem.objects.filter(kind="conflict_markers", cleared_at=None).count() == 1
    assert Ticket.objects.filter(subject__contains="Conflict markers").count() == 1


@pytest.mark.django_db
def test_another_agent_going_offline_is_noted_on_the_open_ticket(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=30))
    customer_repo.commit("C2: build", at=T0 - timedelta(minutes=10))
    deployment_poll(deployment=deployment, now=T0)
    [problem] = [
        p
        for p in deployment_poll(
            deployment=deployment, now=T0 + timedelta(hours=1, minutes=40)
        ).opened
        if p.kind == "agent_offline"
    ]
    assert problem.summary == "Offline: Cloud C1."
    deployment_poll(deployment=deployment, now=T0 + timedelta(hours=2, minutes=5))
    deployment_poll(deployment=deployment, now=T0 + timedelta(hours=2, minutes=10))
    problem.refresh_from_db()
    assert problem.summary == "Offline: Cloud C1, Cloud C2."
    assert problem.ticket is not None
    notes = [m.body for m in problem.ticket.messages.all()]
    assert len(notes) == 2
    assert "the problem changed" in notes[1]


def test_a_strict_protocol_threshold_crossed_is_a_protocol_violation():
    from lifebuoy.monitoring.services.problems import problems_detect

    finding = {
        "check": "strict_protocol",
        "severity": "critical",
        "summary": "C1 offline for 45 min (emergency after 30 min).",
        "evidence": [],
    }
    detected = problems_detect([finding], offline_agents=[])
    assert list(detected) == [ProblemKind.PROTOCOL_VIOLATION]
    assert detected[ProblemKind.PROTOCOL_VIOLATION].severity == "critical"
    assert problems_detect([{**finding, "severity": "info"}], offline_agents=[]) == {}
