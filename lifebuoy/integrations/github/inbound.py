"""GitHub issue events -> tickets. Only repositories listed in settings are watched.

``LIFEBUOY_GITHUB_REPOSITORIES`` lists ``owner/repo`` (community: issues become Community
tickets) or ``owner/repo=org-slug`` (the organization's own repository: its issues become that
organization's tickets, with its plan's priority).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from lifebuoy.accounts.models import Organization
from lifebuoy.notifications.services.external import (
    ExternalPost,
    external_reply_add,
    external_ticket_open,
)
from lifebuoy.tickets.models import Channel

SOURCE = "github"


def watched_repositories() -> dict[str, str]:
    """``owner/repo`` (lower case) -> organization slug, or "" for community repositories."""
    watched: dict[str, str] = {}
    for item in settings.LIFEBUOY_GITHUB_REPOSITORIES:
        repo, _, slug = item.partition("=")
        watched[repo.strip().lower()] = slug.strip()
    return watched


def _post(payload: dict[str, Any], body: str, login: str, org: Organization | None) -> ExternalPost:
    issue = payload["issue"]
    repo = payload["repository"]["full_name"]
    return ExternalPost(
        source=SOURCE,
        key=f"{repo.lower()}#{issue['number']}",
        url=str(issue.get("html_url", "")),
        login=login,
        subject=str(issue.get("title", "")),
        body=body,
        organization=org,
    )


def github_event_handle(*, event: str, payload: dict[str, Any], now: datetime) -> str:
    """Act on one verified event; returns what happened, for the response and the log."""
    repo = str(payload.get("repository", {}).get("full_name", "")).lower()
    watched = watched_repositories()
    if repo not in watched:
        return "ignored: repository not watched"
    if "issue" not in payload or payload["issue"].get("pull_request"):
        return "ignored: not an issue"
    slug = watched[repo]
    org = Organization.objects.filter(slug=slug).first() if slug else None
    action = payload.get("action")
    if event == "issues" and action == "opened":
        issue = payload["issue"]
        post = _post(payload, str(issue.get("body") or ""), issue["user"]["login"], org)
        ticket = external_ticket_open(post=post, channel=Channel.GITHUB, now=now)
        return f"ticket {ticket.number}"
    if event == "issue_comment" and action == "created":
        comment = payload["comment"]
        if comment.get("user", {}).get("type") == "Bot":
            return "ignored: bot comment"
        post = _post(payload, str(comment.get("body") or ""), comment["user"]["login"], org)
        message = external_reply_add(post=post, now=now)
        return "comment added" if message else "ignored: no ticket for this issue"
    return f"ignored: {event} {action}"
