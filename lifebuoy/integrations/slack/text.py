"""Text between Slack's mrkdwn and the desk's Markdown, as far as the two differ."""

from __future__ import annotations

import html
import re

_ANGLE = re.compile(r"<([^<>\n]+)>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
SUBJECT_MAX = 120


def _angle(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f"@{label or target[1:]}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        return f"@{label or target[1:].split('^')[0]}"
    if target.startswith(("http://", "https://", "mailto:")):
        return f"[{label}]({target})" if label else target
    return inner


def from_slack(text: str) -> str:
    """Slack's message text as Markdown: links, mentions and the three escaped characters."""
    return html.unescape(_ANGLE.sub(_angle, text or "")).strip()


def subject_of(text: str) -> str:
    """The first non-empty line, shortened at a word."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) <= SUBJECT_MAX:
        return line or "(message from Slack)"
    return line[:SUBJECT_MAX].rsplit(" ", 1)[0].rstrip(".,;:") + "…"


def to_slack(markdown: str) -> str:
    """Markdown's bold and links as Slack writes them; the rest reads the same."""
    text = _BOLD.sub(r"*\1*", markdown)
    return _LINK.sub(r"<\2|\1>", text)
