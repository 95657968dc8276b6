"""The desk, the portal, the knowledge base and the API docs under the Content-Security-Policy:
no violation in the console and the scripted parts still working; the error pages on a wide
and a narrow screen (screenshots in /tmp/shots/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from lifebuoy.accounts.models import Queue
from lifebuoy.kb.services import kb_article_create
from lifebuoy.kb.template import ArticleDraft
from lifebuoy.macros.models import Macro
from lifebuoy.macros.seed import load_playbook_macros
from lifebuoy.notifications.models import MessageTemplate
from lifebuoy.notifications.seed import load_seed_templates
from lifebuoy.tickets.services import NewTicket, ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"
SHOTS = Path(os.environ.get("LIFEBUOY_SHOTS", "/tmp/shots"))  # noqa: S108  # for people to look at


class Browser:
    """A signed-in page that records every Content-Security-Policy report and script error."""

    def __init__(self, chromium, base: str, email: str | None) -> None:
        self.page = chromium.new_context().new_page()
        self.base = base
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        if email:
            self.goto("/accounts/login/")
            self.page.fill("input[name=username]", email)
            self.page.fill("input[name=password]", PASSWORD)
            self.page.click("button[type=submit]")
            self.page.wait_for_load_state()

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(message.text)

    def goto(self, path: str) -> int:
        response = self.page.goto(self.base + path)
        assert response is not None
        assert "Content-Security-Policy" in {k.title() for k in response.headers}
        return response.status


@pytest.fixture
def desk(db, alice, ted, now):
    Queue.objects.get_or_create(slug="tier-2", defaults={"name": "Tier 2", "tier": 2})
    load_seed_templates(template_model=MessageTemplate)
    load_playbook_macros(template_model=MessageTemplate, macro_model=Macro)
    draft = ArticleDraft(
        title="Zeppelin sync stalls after the nightly job",
        issue="The zeppelin sync never finishes",
        affected_versions=["1.0"],
        severity="High",
        symptoms=["Zeppelin sync shows 'waiting' for hours"],
        root_cause="A stale lock file.",
        solution="1. Delete the lock file.\n2. Start the sync again.",
        prevention="Let the nightly job clean up its lock.",
        visibility="customer",
    )
    article = kb_article_create(actor=ted, draft=draft, state="published", now=now)
    ticket = ticket_create(
        actor=alice, now=timezone.now(), data=NewTicket(subject="C2 stopped", description="x")
    )
    return {"ticket": ticket.id, "article": article.article_id}


def test_the_desk_works_under_the_policy(chromium, live_server, desk, ted):
    agent = Browser(chromium, live_server.url, ted.email)
    for path in ("/desk/", "/desk/kb/", f"/desk/kb/{desk['article']}/", "/desk/monitoring/"):
        assert agent.goto(path) == 200, path
    agent.goto("/desk/")
    assert agent.page.locator("script[src*='sla/countdown']").count() == 1  # loads, no errors
    agent.goto(f"/desk/tickets/{desk['ticket']}/")
    agent.page.wait_for_selector(".macros-picker:not([hidden])")  # shown by picker.js
    agent.page.fill("#macros-search", "status")
    agent.page.click("#macros-results button:has-text('Status update')")
    agent.page.wait_for_selector("text=fill in the [bracketed] parts.")
    assert agent.problems == []


def test_lead_reports_work_under_the_policy(chromium, live_server, desk, lena):
    lead = Browser(chromium, live_server.url, lena.email)
    assert lead.goto("/desk/reports/weekly/") == 200
    lead.page.wait_for_selector("figure img.chart")
    assert lead.page.eval_on_selector("figure img.chart", "img => img.naturalWidth") > 0
    assert lead.goto("/desk/reports/dashboard/") == 200
    assert lead.problems == []


def test_the_portal_and_its_suggestions_work_under_the_policy(chromium, live_server, desk, alice):
    customer = Browser(chromium, live_server.url, alice.email)
    for path in ("/portal/", "/portal/kb/", f"/portal/kb/{desk['article']}/", "/portal/webhooks/"):
        assert customer.goto(path) == 200, path
    customer.goto("/portal/tickets/new/")
    customer.page.fill("input[name=subject]", "zeppelin sync stuck")
    customer.page.fill("textarea[name=description]", "Waiting since last night.")
    customer.page.wait_for_selector("#kb-suggestions:not([hidden]) >> text=Zeppelin sync stalls")
    assert customer.problems == []


def test_the_api_docs_work_offline_under_the_policy(chromium, live_server, desk, ted):
    agent = Browser(chromium, live_server.url, ted.email)
    outside: list[str] = []
    agent.page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    assert agent.goto("/api/docs") == 200
    agent.page.wait_for_selector(".swagger-ui .info .title")
    agent.page.wait_for_selector(".opblock-tag-section")  # operations rendered from the schema
    assert outside == []
    assert agent.problems == []


@pytest.mark.parametrize("width", [1440, 390])
def test_the_error_pages_look_right(chromium, live_server, desk, ted, settings, width):
    settings.ROOT_URLCONF = "tests.browser.error_urls"
    SHOTS.mkdir(parents=True, exist_ok=True)
    agent = Browser(chromium, live_server.url, ted.email)
    agent.page.set_viewport_size({"width": width, "height": 900})
    for path, status, says in (
        ("/portal/", 403, "You may not open this page"),
        ("/desk/no-such-page/", 404, "Page not found"),
        ("/broken/", 500, "Something went wrong"),
    ):
        assert agent.goto(path) == status
        assert says in agent.page.inner_text("main")
        assert (
            agent.page.eval_on_selector("header.top", "el => getComputedStyle(el).backgroundColor")
            == "rgb(255, 255, 255)"
        )  # the stylesheet applied
        assert agent.page.eval_on_selector("body", "el => el.scrollWidth <= window.innerWidth"), (
            f"{path} scrolls sideways at {width}px"
        )
        agent.page.screenshot(path=str(SHOTS / f"{status}-{width}.png"), full_page=True)
    assert agent.problems == []
