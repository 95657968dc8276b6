"""The doctor's JSON report fills the checklist's git logs and error messages."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from lifebuoy.escalations.models import EscalationState
from lifebuoy.escalations.services.doctor import checklist_from_doctor
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db

REPORT = {
    "schema_version": 1,
    "findings": [
        {
            "check": "conflict_markers",
            "severity": "critical",
            "summary": "Conflict markers committed in 2 files",
            "evidence": [
                {"kind": "line", "text": "<<<<<<< HEAD", "file": "c1_to_c2.md", "line": 12},
                {"kind": "commit", "text": "merge C2 output", "commit": "0123456789abcdef"},
            ],
        },
        {
            "check": "repo_size",
            "severity": "info",
            "summary": "Repository is 80 MB",
            "evidence": [],
        },
    ],
    "agents": [
        {"id": "c1", "label": "C1", "commit": {"sha": "fedcba9876543210", "subject": "status"}}
    ],
}


def test_the_report_becomes_git_logs_and_error_messages():
    items = checklist_from_doctor(REPORT)
    assert items["git_commit_logs"].splitlines() == [
        "0123456789 merge C2 output",
        "fedcba9876 status (C1)",
    ]
    assert items["error_messages"].splitlines() == [
        "[critical] conflict_markers: Conflict markers committed in 2 files",
        "  c1_to_c2.md:12: <<<<<<< HEAD",
    ]


def test_the_api_fills_only_what_the_agent_left_blank(api, alice, bob):
    ticket = ticket_opened(alice, timezone.now())
    client = api(bob)
    client.put(
        f"/api/escalations/tickets/{ticket.id}/checklist",
        data=json.dumps({"checklist": {"error_messages": "Seen by the agent"}}),
        content_type="application/json",
    )
    response = client.put(
        f"/api/escalations/tickets/{ticket.id}/checklist/doctor",
        data=json.dumps({"report": REPORT}),
        content_type="application/json",
    )
    assert response.status_code == 200
    checklist = EscalationState.objects.get(ticket=ticket).checklist
    assert checklist["error_messages"] == "Seen by the agent"
    assert checklist["git_commit_logs"].startswith("0123456789 merge C2 output")


def test_charlie_cannot_fill_acme_checklists(api, alice, charlie):
    ticket = ticket_opened(alice, timezone.now())
    response = api(charlie).put(
        f"/api/escalations/tickets/{ticket.id}/checklist/doctor",
        data=json.dumps({"report": REPORT}),
        content_type="application/json",
    )
    assert response.status_code == 404
