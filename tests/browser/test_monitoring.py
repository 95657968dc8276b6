"""An engineer registers a customer's Dual Trinity deployment (consent required), runs the doctor
from the deployment page and sees agents, problems and the ticket monitoring opened; the
customer sees their deployment in the portal, another organization does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, RepoBuilder
from lifebuoy.monitoring.models import Deployment, Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def monitoring(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = True  # the customer repository is local
    # "Run doctor now" queues a poll; here the worker is this process, right after the commit.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def customer_repo(tmp_path):
    """C1 and C2 busy in the last hour; the validator (C3) last seen three days ago."""
    repo = RepoBuilder(tmp_path / "customer")
    now = timezone.now()
    repo.commit(
        "C3: validated the setup",
        {f"{CLOUD}/c3_to_c1.md": "# C3 → C1\nAll checks pass.\n"},
        at=now - timedelta(days=3),
    )
    repo.commit(
        "C1: next task",
        {f"{CLOUD}/c1_to_c2.md": "# C1 → C2\nBuild the parser.\n"},
        at=now - timedelta(minutes=50),
    )
    repo.commit(
        "C2: parser built",
        {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\nDone: parser.\n"},
        at=now - timedelta(minutes=20),
    )
    return repo


def sign_in(chromium, live_server, user):
    page = chromium.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_register_run_the_doctor_and_see_it_in_desk_and_portal(
    chromium, live_server, monitoring, customer_repo, grace, alice, charlie
):
    page = sign_in(chromium, live_server, grace)
    page.goto(f"{live_server.url}/desk/monitoring/new/")
    page.select_option("select[name=organization_id]", label="Acme")
    page.fill("input[name=name]", "Acme trinity")
    page.fill("input[name=repository]", str(customer_repo.path))
    page.select_option("select[name=owner_id]", index=1)
    page.click("button[type=submit]")  # without consent the browser does not send the form
    message = page.eval_on_selector("input[name=consent]", "box => box.validationMessage")
    assert message
    assert "/desk/monitoring/new/" in page.url
    assert not Deployment.objects.exists()

    page.check("input[name=consent]")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Acme trinity is registered")
    deployment = Deployment.objects.get()
    assert deployment.has_read_consent
    assert deployment.consent_by == grace
    page.wait_for_selector("text=Not polled yet.")

    page.click("button:has-text('Run doctor now')")
    page.wait_for_selector("text=The doctor will run in a moment")
    assert page.locator("#poll-waiting").count() == 0  # it already ran: no refreshing
    agents = page.inner_text("section:has(h2:text('Agents')) table")
    assert "Online" in agents
    assert "Offline" in agents  # the validator, silent for three days
    problems = page.inner_text("section:has(h2:text('Open problems'))")
    problem = Problem.objects.get(deployment=deployment, kind="c3_not_validating")
    assert problem.ticket_id is not None
    assert f"ticket #{problem.ticket_id}" in problems
    page.click(f"text=ticket #{problem.ticket_id}")
    page.wait_for_url(f"**/desk/tickets/{problem.ticket_id}/")
    assert "Acme trinity" in page.inner_text("body")

    page.goto(f"{live_server.url}/desk/monitoring/")
    page.check("input[name=attention]")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**attention=on**")
    row = page.locator("tr", has_text="Acme trinity")
    open_count = int(row.locator("td.open-problems").inner_text())
    assert open_count == Problem.objects.filter(deployment=deployment, cleared_at=None).count()
    assert open_count >= 1

    portal = sign_in(chromium, live_server, alice)
    portal.goto(f"{live_server.url}/portal/monitoring/")
    portal.click("text=Acme trinity")
    assert "Online" in portal.inner_text("section:has(h2:text('Agents')) table")

    other = sign_in(chromium, live_server, charlie)
    response = other.goto(f"{live_server.url}/portal/monitoring/{deployment.id}/")
    assert response is not None
    assert response.status == 404
