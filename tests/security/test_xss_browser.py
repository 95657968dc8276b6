"""Script-injection payloads typed into every field people fill never run, on any page.

Each payload goes into what customers and agents write (subjects, descriptions, replies,
internal notes, names, organization names, knowledge-base articles, time notes, survey
comments) and the pages that show them are opened in headless Chromium. A ``dialog`` handler
records any alert, and the DOM is searched for event-handler attributes and script-scheme
links that sanitizing should have removed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.kb.services import kb_article_create
from lifebuoy.kb.template import ArticleDraft
from lifebuoy.notifications.models import Delivery
from lifebuoy.surveys.models import Survey
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import NewTicket, message_add, ticket_create
from lifebuoy.timetracking.services import ManualTime, time_entry_add
from tests.security.fixtures.xss_payloads import XSS_PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"

# Anything a sanitizer must have removed: event handlers and script-bearing URLs.
_FIND_INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/\\s/g, '').toLowerCase();
      if (name.startsWith('on')) found.push(el.tagName + ' ' + name);
      if (['href', 'src', 'data', 'action', 'formaction'].includes(name)
          && (value.startsWith('javascript:') || value.startsWith('data:text/html')))
        found.push(el.tagName + ' ' + name + '=' + attr.value);
    }
  }
  for (const tag of ['iframe', 'object', 'embed', 'math', 'svg']) {
    for (const el of document.querySelectorAll('main ' + tag + ', .body ' + tag))
      found.push('element ' + tag);
  }
  return found;
}"""


@pytest.fixture
def filled(alice: User, bob: User, lena: User):
    """Every payload in every field, dated last week so the weekly report shows them too."""
    week_ago = timezone.now() - timedelta(days=7)
    organization = alice.organization
    assert organization is not None
    Organization.objects.filter(id=organization.id).update(name=XSS_PAYLOADS[3][:100])
    User.objects.filter(id=alice.id).update(full_name=XSS_PAYLOADS[1][:150])
    tickets = []
    for number, payload in enumerate(XSS_PAYLOADS):
        ticket = ticket_create(
            actor=alice,
            data=NewTicket(subject=payload[:200], description=f"{payload}\n\n{payload}"),
            now=week_ago + timedelta(minutes=number),
        )
        message_add(ticket=ticket, author=bob, body=payload, now=week_ago + timedelta(hours=1))
        message_add(
            ticket=ticket,
            author=bob,
            body=payload,
            is_internal=True,
            now=week_ago + timedelta(hours=1),
        )
        message_add(ticket=ticket, author=alice, body=payload, now=week_ago + timedelta(hours=2))
        time_entry_add(
            ticket=ticket,
            agent=bob,
            data=ManualTime(minutes=5, worked_on=week_ago.date(), note=payload[:200]),
            now=week_ago + timedelta(hours=2),
        )
        Survey.objects.create(
            kind="csat",
            token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            contact=alice,
            organization=organization,
            ticket=ticket,
            resolved_at=week_ago,
            sent_at=week_ago,
            expires_at=week_ago + timedelta(days=30),
            rating=5,
            comment=payload,
            answered_at=week_ago + timedelta(hours=3),
        )
        tickets.append(ticket)
    articles = []
    for payload in XSS_PAYLOADS:
        draft = ArticleDraft(
            title=f"Agent stalls {payload}"[:200],
            issue=payload,
            affected_versions=["1.0"],
            severity="High",
            symptoms=[payload],
            root_cause=payload,
            solution=payload,
            prevention=payload,
            visibility="customer",
        )
        articles.append(kb_article_create(actor=lena, draft=draft, now=week_ago, state="published"))
    return tickets, articles


def _recorder(alerts: list[str]):
    def record(dialog) -> None:
        alerts.append(dialog.message)
        dialog.dismiss()

    return record


def _sign_in(browser, live_server, user: User):
    page = browser.new_context().new_page()
    alerts: list[str] = []
    page.on("dialog", _recorder(alerts))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page, alerts


def _visit(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)  # let autofocus, ontoggle and onload fire if they exist
    return page.evaluate(_FIND_INJECTED)


def test_the_corpus_has_at_least_fifteen_payloads():
    assert len(XSS_PAYLOADS) >= 15
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)


def _pages_for(area: str, tickets, articles) -> list[str]:
    pages = [f"/{area}/", *[f"/{area}/tickets/{t.id}/" for t in tickets]]
    pages += [
        f"/{area}/kb/",
        f"/{area}/kb/?q=stalls",
        *[f"/{area}/kb/{a.article_id}/" for a in articles],
    ]
    return pages


@pytest.mark.parametrize(
    ("role", "area", "extra"),
    [
        ("lena", "desk", ["/desk/?q=script", "/desk/reports/dashboard/", "/desk/reports/weekly/"]),
        ("alice", "portal", []),
    ],
)
def test_no_payload_runs_on_any_desk_or_portal_page(
    request, chromium, live_server, filled, role, area, extra
):
    tickets, articles = filled
    page, alerts = _sign_in(chromium, live_server, request.getfixturevalue(role))
    urls = [live_server.url + path for path in _pages_for(area, tickets, articles) + extra]
    injected = {url: found for url in urls if (found := _visit(page, url))}
    page.context.close()
    assert (injected, alerts) == ({}, [])


def test_no_payload_runs_in_a_stored_email(chromium, filled):
    """The HTML our emails carry, opened as a mail client would show it (no CSP there)."""
    bodies = [
        d.payload.get("html", "")
        for d in Delivery.objects.filter(kind="email")
        if isinstance(d.payload, dict)
    ]
    bodies = [b for b in bodies if b]
    assert len(bodies) >= len(XSS_PAYLOADS)
    page = chromium.new_context(java_script_enabled=True).new_page()
    alerts: list[str] = []
    page.on("dialog", _recorder(alerts))
    injected = []
    for html in bodies:
        page.set_content(html)
        page.wait_for_timeout(20)
        injected += page.evaluate(_FIND_INJECTED)
    page.context.close()
    assert (alerts, injected) == ([], [])


def test_payloads_were_stored_as_written_and_shown_as_text(filled):
    ticket = Ticket.objects.get(id=filled[0][0].id)
    assert ticket.subject == XSS_PAYLOADS[0]
    assert "<script>" not in ticket.description_html
    assert User.objects.get(role=Role.CUSTOMER, email="alice@acme.example").full_name
